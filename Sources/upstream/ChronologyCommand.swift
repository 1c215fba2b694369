import ArgumentParser
import Foundation
import UpstreamChronology
import UpstreamGovernance
import UpstreamReports
import UpstreamStore
import UpstreamWorkspace

extension Upstream {
    /// `upstream chronology PERSON`: one linked young person's multi-agency life story.
    struct ChronologyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "chronology",
            abstract: "Show one linked young person's multi-agency chronology, household and recorded ACEs.",
            discussion: """
            Pseudonymised by default: a stable pseudonym with sex, birth year and area instead of names and \
            identifiers. --identify --reason "…" shows names and identifiers and writes who, when, which person \
            and why to the audit trail. Every view is audited; `upstream audit verify` checks the trail. Source record ids \
            and file lines are shown only to roles that may identify (--role practitioner or supervisor).
            """
        )

        @Argument(help: "The person: a pseudonym (YP-…) or a person id from the linkage.") var person: String
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "Linked persons from a CSV (source,record_id,person_id) instead of the store's.") var persons: String?
        @Option(help: "Output: text, json or html.") var format: Format = .text
        @Option(help: "Write to this file instead of standard output (created readable by you only).") var out: String?
        @Flag(help: "Show names and identifiers (needs --reason; audited).") var identify = false
        @Option(help: "Why the person is being identified (recorded in the audit trail).") var reason: String?
        @Option(help: """
            The role you act in: \(Role.allCases.map(\.rawValue).joined(separator: ", ")). Default: practitioner with \
            --identify, otherwise analyst. Only roles that may identify see source record ids and file lines.
            """) var role: Role?
        @Flag(help: "Same as --format json.") var json = false

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, html }

        var acting: User { .selfAsserted(storeOptions.userName, role: role ?? (identify ? .practitioner : .analyst)) }

        func validate() throws {
            if identify {
                do { _ = try Purpose(reason, for: "--identify") } catch { throw ValidationError("\(error)") }
                guard acting.may(.identify) else {
                    throw ValidationError("the role \(acting.role!.rawValue) may not identify a person: --identify needs --role practitioner or supervisor")
                }
            }
            if !identify && reason != nil { throw ValidationError("--reason is only used with --identify") }
        }

        func run() throws {
            guard StoreFactory.exists(storeOptions.location) else { throw ValidationError("no store at \(storeOptions.location): load extracts first with upstream ingest") }
            let c = try PersonAccess(workspace: storeOptions.workspace().acting(as: acting))
                .chronology(of: person, persons: persons, identify: identify, purpose: reason)
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
                try SecureFile.write(path: out, text: text)
                Terminal.error("chronology of \(c.pseudonym) written to \(out)\n")
            } else {
                print(text, terminator: "")
            }
        }
    }

    /// `upstream audit`: the one audit trail.
    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check or list the audit trail: every access, identification, decision, load, retention action and model run.",
            subcommands: [Verify.self, List.self]
        )

        struct Verify: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Check the audit trail's keyed chain and signed head (exit 1 if it was altered, emptied or is missing).",
                discussion: """
                Finds an edited entry, a deleted middle entry, deleted last entries, an emptied or deleted trail, and a chain \
                rewritten without the audit key. See docs/governance.md for what each finding means and what to do.
                """)
            @OptionGroup var storeOptions: StoreOptions
            @Flag(help: "Print the result as JSON.") var json = false

            struct Output: Codable {
                var store: String
                var entries: Int
                var headCount: Int64?
                var intact: Bool
                var problems: [String]
                var notes: [String]
            }

            func run() throws {
                let store = storeOptions.location
                let result = try storeOptions.workspace().verifyAudit()
                if json {
                    try Terminal.json(Output(store: store, entries: result.entries, headCount: result.headCount, intact: result.intact,
                                               problems: result.problems, notes: result.notes))
                } else if result.intact {
                    print("audit trail of \(store): \(result.entries) entries, chain and signed head intact")
                    for n in result.notes { print("  note: \(n)") }
                } else {
                    print("audit trail of \(store): BROKEN")
                    for p in result.problems { print("  - \(p)") }
                    for n in result.notes { print("  note: \(n)") }
                }
                if !result.intact { throw ExitCode(1) }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the audit trail's entries.")
            @OptionGroup var storeOptions: StoreOptions
            @Flag(help: "Print the entries as JSON.") var json = false

            struct Item: Codable {
                var seq: Int64
                var at: String
                var user: String
                var userIs: String
                var role: String
                var action: String
                /// The person's pseudonym, or what else the action concerned (a source, a model, a group).
                var person: String
                var source: String?
                var count: Int
                var reason: String
                var detail: String
                var mac: String
            }

            func run() throws {
                let formatter = ISO8601DateFormatter()
                let items = try storeOptions.workspace().auditEntries().map { e in
                    let ev = e.event
                    return Item(seq: e.seq, at: formatter.string(from: Date(timeIntervalSince1970: TimeInterval(ev.at))),
                                user: ev.actor.name, userIs: ev.actor.kind.rawValue, role: ev.actor.role, action: ev.action,
                                person: ev.subject, source: ev.source, count: ev.count, reason: ev.reason, detail: ev.detail, mac: e.mac)
                }
                if json { try Terminal.json(items); return }
                for i in items {
                    print("\(i.seq)\t\(i.at)\t\(i.user)\t\(i.action)\t\(i.person)\t\(i.reason)\t\(i.userIs)\(i.role.isEmpty ? "" : " " + i.role)")
                }
            }
        }
    }
}
