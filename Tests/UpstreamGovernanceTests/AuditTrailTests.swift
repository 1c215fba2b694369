import Crypto
import Foundation
import GRDB
import Testing
@testable import UpstreamGovernance
import UpstreamModel
import UpstreamStore
import UpstreamStoreSQLite

/// Plays the part of someone who can write the database but does not hold the audit key.
struct Attacker {
    let dir: String
    var path: String { dir + "/upstream.db" }

    func sql(_ statements: String) throws {
        let q = try DatabaseQueue(path: path)
        try q.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS audit_trail_no_update; DROP TRIGGER IF EXISTS audit_trail_no_delete;")
            try db.execute(sql: statements)
        }
    }

    /// Recomputes every entry's chain with `mac` (plain SHA-256, or HMAC under a guessed key), as a forger would.
    func rewriteChain(_ mac: (AuditEntry, String) -> String) throws {
        let q = try DatabaseQueue(path: path)
        try q.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS audit_trail_no_update; DROP TRIGGER IF EXISTS audit_trail_no_delete;")
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM audit_trail ORDER BY seq")
            try db.execute(sql: "DELETE FROM audit_trail")
            var previous = AuditEntry.genesis
            for (i, row) in rows.enumerated() {
                let event = AuditEvent(at: row["at"], actor: AuditActor(name: row["actor"], kind: .selfAsserted, role: row["role"]),
                                       action: row["action"], subject: row["subject"], source: row["source"], count: row["count"],
                                       reason: row["reason"], detail: row["detail"])
                let e = AuditEntry(seq: Int64(i + 1), event: event, previousMAC: previous, mac: "")
                let m = mac(e, previous)
                try db.execute(sql: Self.insert, arguments: [i + 1, event.at, event.actor.name, "self-asserted", event.actor.role,
                                                              event.action, event.subject, event.source, event.count, event.reason,
                                                              event.detail, previous, m])
                previous = m
            }
        }
    }

    static let insert = """
        INSERT INTO audit_trail (seq, at, actor, actor_kind, role, action, subject, source, count, reason, detail, previous_mac, mac)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
}

@Suite("The audit trail: one keyed chain with a signed head, and what verification finds")
struct AuditTrailTests {
    @Test("entries are numbered without gaps, each chained to the one before with an HMAC under the audit key")
    func chainIsKeyed() throws {
        let dir = try temporaryFolder()
        let g = try governedStore(dir)
        try appendViews(g, 3)
        let entries = try g.store.auditLog()
        #expect(entries.map(\.seq) == [1, 2, 3])
        #expect(entries[0].previousMAC == AuditEntry.genesis)
        #expect(entries[1].previousMAC == entries[0].mac)
        #expect(entries[2].event.actor == AuditActor(name: "alice", kind: .selfAsserted, role: "practitioner"))
        #expect(entries[2].event.reason == "strategy meeting")
        // The MAC is HMAC-SHA256 over the length-prefixed fields, recomputed here by hand.
        let key = try #require(try SecretKeyFile.load(at: dir + "/upstream.db.audit-key"))
        let e = entries[1]
        let fields = ["2", String(e.event.at), "alice", "self-asserted", "practitioner", "view-pseudonymised", "YP-2"]
        var text = "upstream-audit v1" + fields.map { "|\($0.utf8.count):\($0)" }.joined() + "|-1:"
        text += ["0", "", "", e.previousMAC].map { "|\($0.utf8.count):\($0)" }.joined()
        let expected = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key).map { String(format: "%02x", $0) }.joined()
        #expect(e.mac == expected)
        let v = try g.verify()
        #expect(v.intact, "\(v.problems)")
        #expect(v.entries == 3 && v.headCount == 3)
    }

    @Test("the signed head records the count and last MAC, is owner-only, and is signed")
    func signedHead() throws {
        let dir = try temporaryFolder()
        let g = try governedStore(dir)
        try appendViews(g, 2)
        let headPath = dir + "/upstream.db.audit-head"
        #expect(mode(of: headPath) == 0o600)
        #expect(mode(of: dir + "/upstream.db") == 0o600)
        #expect(mode(of: dir + "/upstream.db.audit-key") == 0o600)
        let head = try #require(try SignedHeadFile(path: headPath, key: g.chain.key).read())
        #expect(head == SignedHead(count: 2, lastMAC: try g.store.auditLog().last!.mac))
        // Signed with the key: another key does not accept it.
        #expect(throws: GovernanceError.self) { try SignedHeadFile(path: headPath, key: fixedKey).read() }
    }

    @Test("an edited entry is found")
    func editedEntry() throws {
        let dir = try temporaryFolder()
        try appendViews(try governedStore(dir), 4)
        try Attacker(dir: dir).sql("UPDATE audit_trail SET reason = 'routine check' WHERE seq = 3")
        let v = try governedStore(dir, mode: .inspect).verify()
        #expect(v.problems == ["entry 3 does not match its MAC: it was edited, or the chain was rewritten by someone without the audit key"])
    }

    @Test("a deleted middle entry is found")
    func deletedMiddle() throws {
        let dir = try temporaryFolder()
        try appendViews(try governedStore(dir), 4)
        try Attacker(dir: dir).sql("DELETE FROM audit_trail WHERE seq = 2")
        let v = try governedStore(dir, mode: .inspect).verify()
        #expect(!v.intact)
        #expect(v.problems.first == "entry 2 is missing: deleted from the middle of the trail")
        #expect(v.problems.contains("the trail has 3 entries but the signed head records 4: the last entry was deleted"))
    }

    @Test("deleting the last entries is found", arguments: [1, 2])
    func deletedLast(_ n: Int) throws {
        let dir = try temporaryFolder()
        try appendViews(try governedStore(dir), 5)
        try Attacker(dir: dir).sql("DELETE FROM audit_trail WHERE seq > \(5 - n)")
        let v = try governedStore(dir, mode: .inspect).verify()
        let gone = n == 1 ? "the last entry was" : "the last \(n) entries were"
        #expect(v.problems == ["the trail has \(5 - n) entries but the signed head records 5: \(gone) deleted"])
    }

    @Test("an emptied trail is found, and a dropped and recreated one")
    func emptiedTrail() throws {
        let dir = try temporaryFolder()
        try appendViews(try governedStore(dir), 3)
        try Attacker(dir: dir).sql("DELETE FROM audit_trail")
        #expect(try governedStore(dir, mode: .inspect).verify().problems
                == ["the trail is empty but the signed head records 3 entries: the trail was emptied or deleted"])
        // Opening the store for use again neither restarts the head nor hides it.
        let g = try governedStore(dir)
        #expect(!(try g.verify().intact))
    }

    @Test("a deleted store is refused, and the head says a trail existed")
    func deletedStore() throws {
        let dir = try temporaryFolder()
        try appendViews(try governedStore(dir), 2)
        try FileManager.default.removeItem(atPath: dir + "/upstream.db")
        let v = Governance.verifyMissingStore(paths: GovernancePaths(store: dir + "/upstream.db", environment: [:]))
        #expect(v.problems.first?.contains("records 2 entries: the store and its trail were deleted or moved") == true)
    }

    @Test("an empty trail with no head is refused: there is nothing to verify")
    func missingTrailRefused() throws {
        let dir = try temporaryFolder()
        _ = try governedStore(dir)
        try FileManager.default.removeItem(atPath: dir + "/upstream.db.audit-head")
        let v = try governedStore(dir, mode: .inspect).verify()
        #expect(!v.intact)
        #expect(v.problems.first?.hasPrefix("there is no audit trail to verify") == true)
    }

    @Test("a chain rewritten after removing identifications is found, with plain SHA-256 or a guessed key")
    func rewrittenChain() throws {
        for forger in ["sha256", "guessed-key"] {
            let dir = try temporaryFolder()
            try appendViews(try governedStore(dir), 5)
            let attacker = Attacker(dir: dir)
            try attacker.sql("DELETE FROM audit_trail WHERE action = 'identify'")
            try attacker.rewriteChain { e, previous in
                let bytes = AuditChain.canonical(seq: e.seq, event: e.event, previousMAC: previous)
                return forger == "sha256" ? Hex.string(SHA256.hash(data: bytes))
                    : Hex.string(HMAC<SHA256>.authenticationCode(for: bytes, using: fixedKey))
            }
            let v = try governedStore(dir, mode: .inspect).verify()
            #expect(v.problems.contains("entry 1 does not match its MAC: it was edited, or the chain was rewritten by someone without the audit key"))
            #expect(v.problems.contains("the trail has 4 entries but the signed head records 5: the last entry was deleted"))
        }
    }

    @Test("a deleted or edited head is reported, and further appends fail closed")
    func headTampering() throws {
        let dir = try temporaryFolder()
        try appendViews(try governedStore(dir), 2)
        let headPath = dir + "/upstream.db.audit-head"
        let original = try String(contentsOfFile: headPath, encoding: .utf8)
        try SecureFile.write(path: headPath, text: original.replacingOccurrences(of: " 2 ", with: " 1 "))
        #expect(try governedStore(dir, mode: .inspect).verify().problems.first?.contains("its signature does not match") == true)
        try FileManager.default.removeItem(atPath: headPath)
        #expect(try governedStore(dir, mode: .inspect).verify().problems.first?.contains("is missing: the trail's 2 entries verify") == true)
        #expect(throws: GovernanceError.self) { try appendViews(try governedStore(dir), 1, from: 3) }
    }

    @Test("entries written after the head (a stop between the two) are noted, not reported as tampering")
    func headBehind() throws {
        let dir = try temporaryFolder()
        let g = try governedStore(dir)
        try appendViews(g, 2)
        let headPath = dir + "/upstream.db.audit-head"
        let saved = try Data(contentsOf: URL(fileURLWithPath: headPath))
        try appendViews(g, 1, from: 3)
        try SecureFile.write(path: headPath, data: Array(saved))
        let v = try governedStore(dir, mode: .inspect).verify()
        #expect(v.intact)
        #expect(v.notes.first?.hasPrefix("1 entry was written after the signed head") == true)
    }

    @Test("an entry written by a program without the key is reported as unsealed")
    func unsealedEntry() throws {
        let dir = try temporaryFolder()
        try appendViews(try governedStore(dir), 2)
        _ = try SQLiteStore(path: dir + "/upstream.db").appendAudit([AuditEvent(at: 1, actor: .unknown, action: "view-pseudonymised")])
        let v = try governedStore(dir, mode: .inspect).verify()
        #expect(v.problems.first?.hasPrefix("entry 3 (view-pseudonymised) is not sealed") == true)
    }

    @Test("a damaged entry gives a message naming it, not a crash")
    func corruptEntry() throws {
        let dir = try temporaryFolder()
        try appendViews(try governedStore(dir), 2)
        try Attacker(dir: dir).sql("UPDATE audit_trail SET at = 'yesterday' WHERE seq = 2")
        #expect(throws: StoreError.corrupt("audit_trail entry 2: at is not a whole number")) {
            try governedStore(dir, mode: .inspect).verify()
        }
    }

    @Test("inspecting never creates a key or a head")
    func inspectCreatesNothing() throws {
        let dir = try temporaryFolder()
        _ = try SQLiteStore(path: dir + "/upstream.db")
        #expect(throws: GovernanceError.self) { try governedStore(dir, mode: .inspect) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["upstream.db"])
    }
}
