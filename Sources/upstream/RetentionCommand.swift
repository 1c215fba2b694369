import ArgumentParser
import UpstreamModel
import UpstreamStore

extension Upstream {
    /// `upstream retention`: records kept longer than their source allows.
    struct Retention: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, or with --apply delete, records past their source's retention period.",
            discussion: """
            A source's spec states its retention: years, counted from the event (its end date when it has one) or \
            from the load date. --apply deletes in one transaction and writes an audit log entry per source.
            """
        )

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The date to judge on, YYYY-MM-DD (default today).") var asOf: String?
        @Flag(help: "Delete the records listed.") var apply = false
        @Flag(help: "Print the figures as JSON.") var json = false

        func validate() throws { _ = try IngestCLI.date(asOf, option: "as-of") }

        struct Item: Codable {
            var source: String
            var retentionYears: Int
            var retentionFrom: String
            /// Records anchored before this date (YYYY-MM-DD) are past retention.
            var cutoff: String
            var records: Int
        }

        struct Output: Codable {
            var asOf: String
            var applied: Bool
            var total: Int
            var sources: [Item]
        }

        func run() throws {
            let store = try storeOptions.open()
            let day = try IngestCLI.date(asOf, option: "as-of") ?? IngestCLI.today()
            let due = apply ? try store.applyRetention(asOf: day, at: IngestCLI.now()) : try store.retentionDue(asOf: day)
            let total = due.reduce(0) { $0 + $1.records }
            if json {
                let items = due.map {
                    Item(source: $0.source, retentionYears: $0.policy.years, retentionFrom: $0.policy.from.rawValue,
                         cutoff: $0.cutoff.iso, records: $0.records)
                }
                try IngestCLI.printJSON(Output(asOf: day.iso, applied: apply, total: total, sources: items))
                return
            }
            if due.isEmpty {
                print("No records past retention on \(day.iso).")
                return
            }
            print((apply ? "Deleted" : "Past retention on \(day.iso):") + " \(total) records")
            for d in due {
                print("  " + IngestCLI.pad(d.source, 22) + IngestCLI.pad("\(d.policy.years) years from \(d.policy.from.rawValue)", 22)
                      + IngestCLI.pad("before \(d.cutoff.iso)", 20) + String(d.records))
            }
            if !apply { print("Run with --apply to delete them (an audit log entry is written per source).") }
        }
    }
}
