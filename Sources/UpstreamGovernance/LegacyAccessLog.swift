import Crypto
import Foundation
import UpstreamStore

#if canImport(Glibc)
import Glibc
#endif

/// The JSON Lines access log of earlier versions (`STORE.audit.jsonl`), imported once into the one trail.
///
/// Its entries become trail entries (with their original times, users, actions, persons and reasons), followed by
/// one `import-access-log` entry saying how many were imported and whether the old SHA-256 chain was intact. The
/// file is then renamed `….imported`. The file is claimed by renaming it first, so two processes never import it
/// twice.
public enum LegacyAccessLog {
    struct Entry: Codable {
        var seq: Int
        var at: Int64
        var user: String
        var action: String
        var person: String
        var reason: String
        var previousHash: String
        var hash: String

        var computedHash: String {
            let text = [String(seq), String(at), user, action, person, reason, previousHash].map { "\($0.count):\($0)" }
                .joined(separator: "|")
            return Hex.string(SHA256.hash(data: Data(text.utf8)))
        }
    }

    /// Reads the old log's entries, saying exactly what is wrong with a damaged or cut-off line.
    static func parse(_ data: Data, path: String) throws -> [Entry] {
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let endsCleanly = data.last == UInt8(ascii: "\n")
        var out: [Entry] = []
        let decoder = JSONDecoder()
        for (i, line) in lines.enumerated() where !line.isEmpty {
            do {
                out.append(try decoder.decode(Entry.self, from: Data(line)))
            } catch {
                if i == lines.count - 1 && !endsCleanly {
                    throw GovernanceError.legacyLogCorrupt(path, "its last line (\(i + 1)) is cut off: a process stopped while writing it, "
                        + "so that access was never completed. Remove that line (keep a copy of the file) and run the command again")
                }
                throw GovernanceError.legacyLogCorrupt(path, "line \(i + 1) is not a valid entry (it was damaged or edited). Restore the "
                    + "file from backup and run the command again; or, to start the trail without it, move it aside and record why")
            }
        }
        return out
    }

    /// The first break in the old SHA-256 chain, or `nil` when intact.
    static func chainProblem(_ entries: [Entry]) -> String? {
        var previous = String(repeating: "0", count: 64)
        for (i, e) in entries.enumerated() {
            if e.seq != i + 1 { return "entry \(i + 1) has sequence number \(e.seq)" }
            if e.previousHash != previous { return "entry \(e.seq) does not follow the one before" }
            if e.computedHash != e.hash { return "entry \(e.seq) does not match its hash" }
            previous = e.hash
        }
        return nil
    }

    /// Imports the old log at `path` (if there is one) into `governance`'s trail.
    /// - Returns: how many entries were imported (0 when there was no file).
    /// - Throws: ``GovernanceError/legacyLogCorrupt(_:_:)`` when the file is damaged (it is left where it was).
    @discardableResult
    public static func importOnce(path: String, into governance: Governance, at now: Int64) throws -> Int {
        let claimed = path + ".importing-\(getpid())"
        guard rename(path, claimed) == 0 else { return 0 }
        let entries: [Entry]
        do {
            entries = try parse(FileManager.default.contents(atPath: claimed) ?? Data(), path: path)
        } catch {
            rename(claimed, path)
            throw error
        }
        let problem = chainProblem(entries)
        var events = entries.map { e in
            AuditEvent(at: e.at, actor: AuditActor(name: e.user, kind: .selfAsserted, role: ""), action: e.action, subject: e.person,
                       reason: e.reason, detail: "imported from \((path as NSString).lastPathComponent) entry \(e.seq)")
        }
        events.append(AuditEvent(
            at: now, actor: governance.user.actor, action: "import-access-log", subject: (path as NSString).lastPathComponent,
            count: entries.count,
            detail: problem.map { "its SHA-256 chain was broken: \($0)" } ?? "its SHA-256 chain was intact"))
        _ = try governance.store.appendAudit(events)
        rename(claimed, path + ".imported")
        return entries.count
    }
}
