import Foundation
import Testing
@testable import UpstreamGovernance

@Suite("Files holding person-level data are owner-only")
struct SecureFileTests {
    @Test("a new file is 0600 whatever the umask, and a world-readable file it replaces becomes 0600")
    func ownerOnly() throws {
        let dir = try temporaryFolder()
        let old = umask(0)
        defer { umask(old) }
        try SecureFile.write(path: dir + "/a.html", text: "<p>a</p>")
        #expect(mode(of: dir + "/a.html") == 0o600)
        #expect(FileManager.default.createFile(atPath: dir + "/b.csv", contents: Data("x".utf8), attributes: [.posixPermissions: 0o644]))
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

    /// The id of a process that has ended.
    static func endedProcessID() throws -> pid_t {
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        return ended.processIdentifier
    }

    @Test("a temporary file's name carries its writers' process ids; any other name none")
    func writerIDsInNames() {
        #expect(SecureFile.writerIDs(inTemporaryName: "s.db.audit-head.tmp-41-99") == [41])
        #expect(SecureFile.writerIDs(inTemporaryName: "s.db.audit-head.new-41-99.tmp-42-7") == [41, 42])
        #expect(SecureFile.writerIDs(inTemporaryName: "run-9.seg.tmp-7-1") == [7])
        for name in ["s.db", "s.db.audit-head", "s.db.tmp-", "s.db.tmp-x-1", "s.db.tmp-12", "a.tmp-0-1", "notes.new-year.txt"] {
            #expect(SecureFile.writerIDs(inTemporaryName: name).isEmpty, "\(name)")
        }
    }

    @Test("the temporaries of ended writers beside a file are removed; a running writer's, other files' and the file stay")
    func abandonedTemporariesRemoved() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ended = try Self.endedProcessID(), me = getpid()
        let names = ["s.db.audit-head", "s.db.audit-head.tmp-\(ended)-1", "s.db.audit-head.new-\(ended)-2.tmp-\(ended)-3",
                     "s.db.audit-key.new-\(ended)-4", "s.db.audit-head.tmp-\(me)-5", "s.db.audit-head.new-\(ended)-6.tmp-\(me)-7",
                     "other.csv.tmp-\(ended)-8"]
        for n in names { #expect(FileManager.default.createFile(atPath: dir + "/" + n, contents: Data("x".utf8))) }
        SecureFile.removeAbandonedTemporaries(of: [dir + "/s.db.audit-head", dir + "/s.db.audit-key"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == [
            "other.csv.tmp-\(ended)-8", "s.db.audit-head", "s.db.audit-head.new-\(ended)-6.tmp-\(me)-7", "s.db.audit-head.tmp-\(me)-5",
        ].sorted())
        SecureFile.removeAbandonedTemporaries(inFolder: dir)
        #expect(!FileManager.default.fileExists(atPath: dir + "/other.csv.tmp-\(ended)-8"))
    }

    @Test("opening a governed store removes what a killed writer of its keys or signed head left")
    func governanceOpenRemovesThem() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try governedStore(dir)
        let ended = try Self.endedProcessID()
        let left = [dir + "/upstream.db.audit-head.tmp-\(ended)-1", dir + "/upstream.db.key.new-\(ended)-2"]
        for p in left { #expect(FileManager.default.createFile(atPath: p, contents: Data("x".utf8))) }
        _ = try governedStore(dir, mode: .inspect)
        #expect(left.allSatisfy { FileManager.default.fileExists(atPath: $0) }, "inspecting changes nothing")
        _ = try governedStore(dir)
        #expect(left.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
    }

    @Test("a write into a missing folder says which file")
    func missingFolder() {
        #expect(throws: GovernanceError.self) { try SecureFile.write(path: "/nonexistent-folder/x.csv", text: "x") }
    }
}
