import ArgumentParser
import Foundation
import UpstreamChronology
import UpstreamReports
import UpstreamStoreSQLite

extension Upstream {
    /// `upstream chronology PERSON`: one linked young person's multi-agency life story.
    struct ChronologyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "chronology",
            abstract: "Show one linked young person's multi-agency chronology, household and recorded ACEs.",
            discussion: """
            Pseudonymised by default: a stable pseudonym with sex, birth year and area instead of names and \
            identifiers. --identify --reason "…" shows names and identifiers and writes who, when, which person \
            and why to the audit log. Every view is audited; `upstream audit verify` checks the log.
            """
        )

        @Argument(help: "The person: a pseudonym (YP-…) or a person id from the linkage.") var person: String
        @Option(help: "The store (SQLite file).") var store: String = "upstream.db"
        @Option(help: "Linked persons: source,record_id,person_id (default: STORE.linkage/persons.csv).") var persons: String?
        @Option(help: "Output: text, json or html.") var format: Format = .text
        @Option(help: "Write to this file instead of standard output.") var out: String?
        @Flag(help: "Show names and identifiers (needs --reason; audited).") var identify = false
        @Option(help: "Why the person is being identified (recorded in the audit log).") var reason: String?
        @Option(help: "Who is looking (default: the login name).") var user: String = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName
        @Flag(help: "Same as --format json.") var json = false

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, html }

        func validate() throws {
            if identify && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--identify needs --reason \"…\": say why this person must be identified (it is recorded in the audit log)")
            }
            if !identify && reason != nil { throw ValidationError("--reason is only used with --identify") }
        }

        func run() throws {
            guard FileManager.default.fileExists(atPath: store) else { throw ValidationError("no store at \(store): load extracts first with upstream ingest") }
            let personsFile = persons ?? store + ".linkage/persons.csv"
            let pseudonyms = try Pseudonyms.forStore(store)
            guard let id = try LinkedRecords.resolve(person, personsFile: personsFile, pseudonyms: pseudonyms) else {
                throw ValidationError("no linked person \(person) in \(personsFile)")
            }
            let db = try SQLiteStore(path: store)
            let records = try LinkedRecords.neighbourhood(of: id, store: db, personsFile: personsFile)
            let builder = ChronologyBuilder(records: records)
            guard let c = builder.chronology(for: id, pseudonym: pseudonyms.pseudonym(id), identify: identify) else {
                throw ValidationError("person \(person) has no records in the store")
            }
            // Audit before anything is shown.
            try AuditLog.forStore(store).append(
                user: user, action: identify ? "identify" : "view-pseudonymised", person: c.pseudonym,
                reason: reason ?? "", at: Int64(Date().timeIntervalSince1970))
            let text: String
            switch json ? .json : format {
            case .text: text = ChronologyText.render(c)
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                text = String(decoding: try encoder.encode(c), as: UTF8.self) + "\n"
            case .html: text = ChronologyPage.html(c, generatedAt: ISO8601DateFormatter().string(from: Date()))
            }
            if let out {
                try text.write(toFile: out, atomically: true, encoding: .utf8)
                Terminal.error("chronology of \(c.pseudonym) written to \(out)\n")
            } else {
                print(text, terminator: "")
            }
        }
    }

    /// `upstream audit`: the access audit log.
    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check or list the audit log of access to persons' records.",
            subcommands: [Verify.self, List.self]
        )

        struct Verify: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Check that the audit log's hash chain is intact (exit 1 if not).")
            @Option(help: "The store (SQLite file).") var store: String = "upstream.db"
            @Flag(help: "Print the result as JSON.") var json = false

            func run() throws {
                let log = AuditLog.forStore(store)
                let problem = try log.verify()
                let count = try log.entries().count
                if json {
                    print("{\"entries\": \(count), \"intact\": \(problem == nil)\(problem.map { ", \"problem\": \"\($0)\"" } ?? "")}")
                } else if let problem {
                    print("audit log \(log.path): BROKEN at \(problem)")
                } else {
                    print("audit log \(log.path): \(count) entries, chain intact")
                }
                if problem != nil { throw ExitCode(1) }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the audit log's entries.")
            @Option(help: "The store (SQLite file).") var store: String = "upstream.db"
            @Flag(help: "Print the entries as JSON.") var json = false

            func run() throws {
                let entries = try AuditLog.forStore(store).entries()
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    print(String(decoding: try encoder.encode(entries), as: UTF8.self))
                    return
                }
                for e in entries {
                    let when = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(e.at)))
                    print("\(e.seq)\t\(when)\t\(e.user)\t\(e.action)\t\(e.person)\t\(e.reason)")
                }
            }
        }
    }
}
