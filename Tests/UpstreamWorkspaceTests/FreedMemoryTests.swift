import Testing
import UpstreamWorkspace

@Suite("freed memory: when a link keeps it for its next stage")
struct FreedMemoryTests {
    @Test("kept while a kilobyte a record stays under half the budget; handed back from there, for an unknown size, and on overflow")
    func rule() {
        let gib = 1 << 30
        #expect(LinkUseCase.keepsFreedMemory(expectedRecords: 998_286, budget: 8 * gib))
        #expect(LinkUseCase.keepsFreedMemory(expectedRecords: 4 * (1 << 20) - 1, budget: 8 * gib))
        #expect(!LinkUseCase.keepsFreedMemory(expectedRecords: 4 * (1 << 20), budget: 8 * gib))
        #expect(!LinkUseCase.keepsFreedMemory(expectedRecords: 8_900_000, budget: 8 * gib))
        #expect(!LinkUseCase.keepsFreedMemory(expectedRecords: 0, budget: 8 * gib))
        #expect(!LinkUseCase.keepsFreedMemory(expectedRecords: Int.max / 2, budget: Int.max))
        #expect(!LinkUseCase.keepsFreedMemory(expectedRecords: 600, budget: 1 << 20))
        #expect(LinkUseCase.keepsFreedMemory(expectedRecords: 600, budget: 2 << 20))
    }
}
