import Foundation
import Testing
import UpstreamGovernance

@Suite("Files holding person-level data are owner-only")
struct SecureFileTests {
    @Test("a new file is 0600 whatever the umask, and a world-readable file it replaces becomes 0600")
    func ownerOnly() throws {
        let dir = try temporaryFolder()
        let old = umask(0)
        defer { umask(old) }
        try SecureFile.write(path: dir + "/a.html", text: "<p>a</p>")
        #expect(mode(of: dir + "/a.html") == 0o600)
        FileManager.default.createFile(atPath: dir + "/b.csv", contents: Data("x".utf8), attributes: [.posixPermissions: 0o644])
        try SecureFile.write(path: dir + "/b.csv", text: "y")
        #expect(mode(of: dir + "/b.csv") == 0o600)
        #expect(try String(contentsOfFile: dir + "/b.csv", encoding: .utf8) == "y")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["a.html", "b.csv"])
    }

    @Test("UPSTREAM_FILE_MODE may open files to a group, never to others", arguments: [
        ("0640", 0o640), ("660", 0o660), ("0644", 0o600), ("0606", 0o600), ("0400", 0o600), ("rw", 0o600), (nil, 0o600),
    ] as [(String?, Int)])
    func configuredMode(_ text: String?, _ expected: Int) {
        #expect(Int(SecureFile.mode(from: text)) == expected)
    }

    @Test("a write into a missing folder says which file")
    func missingFolder() {
        #expect(throws: GovernanceError.self) { try SecureFile.write(path: "/nonexistent-folder/x.csv", text: "x") }
    }
}
