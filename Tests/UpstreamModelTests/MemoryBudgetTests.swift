import Testing
import UpstreamModel

/// The one reader of `--memory` sizes (ingest, link, risk train and score).
@Suite("Memory budget sizes")
struct MemoryBudgetTests {
    @Test func parsesSizesInBinaryUnits() {
        #expect(MemoryBudget.parse("8G") == 8 << 30)
        #expect(MemoryBudget.parse("8GiB") == 8 << 30)
        #expect(MemoryBudget.parse("512m") == 512 << 20)
        #expect(MemoryBudget.parse("1.5G") == 3 << 29)
        #expect(MemoryBudget.parse("4096") == 4096)
        #expect(MemoryBudget.parse(" 2 G ") == 2 << 30)
        #expect(MemoryBudget.parse("lots") == nil)
        #expect(MemoryBudget.parse("-1G") == nil)
        #expect(MemoryBudget.parse("0") == nil)
    }

    @Test func aCommandsBudgetIsAtLeastOneMebibyte() {
        #expect(MemoryBudget.bytes("8G") == 8 << 30)
        #expect(MemoryBudget.bytes("8GiB") == 8 << 30)
        #expect(MemoryBudget.bytes("512m") == 512 << 20)
        #expect(MemoryBudget.bytes("1.5G") == 3 << 29)
        #expect(MemoryBudget.bytes("2048K") == 2 << 20)
        #expect(MemoryBudget.bytes("1048576") == 1 << 20)
        for bad in ["", "G", "lots", "-1G", "0", "100K", "4096", "nanG", "infG", "8X"] { #expect(MemoryBudget.bytes(bad) == nil, "\(bad)") }
        #expect(MemoryBudget.bytes("100K", atLeast: 1024) == 100 << 10)
    }

    @Test func oneMessageNamesTheOptionAndAnExample() {
        #expect(MemoryBudget.problem("lots") == "--memory lots must be a size such as 8G, 512M or 2048K (at least 1M)")
    }
}
