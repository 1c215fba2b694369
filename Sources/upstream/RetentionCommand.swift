import ArgumentParser
import Foundation
import UpstreamModel
import UpstreamStore

extension Upstream {
    /// `upstream retention`: records kept longer than their source allows.
    struct Retention: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, or with --apply delete, records past their source's retention period.",
            discussion: """
            A source's spec states its retention: years, counted from the event (its end date when it has one) or \
            from the load date. --apply deletes in one transaction and writes an audit log entry per source. \
            It always lists what would go first. --apply refuses a date in the future (a listing may look ahead). \
            A large deletion (more than \(Retention.confirmAbove) records, or more than a tenth of the store's \
            records) needs --yes, or on a terminal typing the number of records to delete; otherwise nothing is \
            deleted and the exit status is 77.
            """
        )

        /// Deletions of more records than this (or of more than a tenth of the store) need confirmation.
        static let confirmAbove = 100

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The date to judge on, YYYY-MM-DD (default today; with --apply, not after today).") var asOf: String?
        @Flag(help: "Delete the records listed.") var apply = false
        @Flag(help: "Confirm a large deletion with --apply without being asked.") var yes = false
        @Flag(help: "Print the figures as JSON.") var json = false

        func validate() throws {
            _ = try IngestCLI.date(asOf, option: "as-of")
            if yes && !apply { throw ValidationError("--yes confirms --apply; without --apply nothing is deleted") }
        }

        /// Whether deleting `total` of the store's `held` records needs confirmation.
        static func needsConfirmation(total: Int, held: Int) -> Bool {
            total > confirmAbove || total * 10 > held
        }

        func run() throws {
            let store = try storeOptions.open()
            let today = IngestCLI.today()
            let day = try IngestCLI.date(asOf, option: "as-of") ?? today
            if apply, day > today {
                throw CommandFailure.refused(
                    "--as-of \(day.iso) is after today (\(today.iso)): retention is applied only as of today or earlier, "
                    + "so that no record is deleted before its time. Run without --apply to see what will be due then.")
            }
            let due = try store.retentionDue(asOf: day)
            let total = due.reduce(0) { $0 + $1.records }
            var applied = false
            var done = due
            if apply, total > 0 {
                let held = try store.sourceCounts().reduce(0) { $0 + $1.records }
                if Self.needsConfirmation(total: total, held: held), !yes {
                    try report(due, asOf: day, applied: false, future: false)
                    guard !json, isatty(0) == 1 else {
                        throw CommandFailure.refused(
                            "not deleted: this would delete \(total) of the store's \(held) records (listed above); "
                            + "a deletion of more than \(Self.confirmAbove) records or of more than a tenth of the store needs "
                            + "confirmation. Check the list, then run again with --apply --yes.")
                    }
                    Terminal.error("Type the number of records to delete (\(total)) to go ahead: ")
                    guard readLine()?.trimmingCharacters(in: .whitespaces) == String(total) else {
                        throw CommandFailure.refused("not confirmed: nothing was deleted")
                    }
                }
                done = try store.applyRetention(asOf: day, at: IngestCLI.now())
                applied = true
            }
            try report(done, asOf: day, applied: applied, future: day > today)
        }

        func report(_ due: [RetentionDue], asOf day: CivilDate, applied: Bool, future: Bool) throws {
            try RetentionReport.print(due, asOf: day, applied: applied, future: future, apply: apply, json: json)
        }
    }
}

/// What `upstream retention` prints: per source, the records past retention (or deleted).
enum RetentionReport {
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

    static func print(_ due: [RetentionDue], asOf day: CivilDate, applied: Bool, future: Bool, apply: Bool, json: Bool) throws {
        let total = due.reduce(0) { $0 + $1.records }
        if json {
            let items = due.map {
                Item(source: $0.source, retentionYears: $0.policy.years, retentionFrom: $0.policy.from.rawValue,
                     cutoff: $0.cutoff.iso, records: $0.records)
            }
            try IngestCLI.printJSON(Output(asOf: day.iso, applied: applied, total: total, sources: items))
            return
        }
        if due.isEmpty {
            Swift.print("No records past retention on \(day.iso).")
            return
        }
        Swift.print((applied ? "Deleted" : "Past retention on \(day.iso)\(future ? " (a future date)" : ""):") + " \(total) records")
        for d in due {
            Swift.print("  " + IngestCLI.pad(d.source, 22) + IngestCLI.pad("\(d.policy.years) years from \(d.policy.from.rawValue)", 22)
                  + IngestCLI.pad("before \(d.cutoff.iso)", 20) + String(d.records))
        }
        if !apply && !future { Swift.print("Run with --apply to delete them (an audit log entry is written per source).") }
    }
}
