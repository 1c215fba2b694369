import ArgumentParser
import Foundation
import UpstreamIngest
import UpstreamModel
import UpstreamStore

extension Upstream {
    /// `upstream quarantine`: what could not be loaded, and why.
    struct Quarantine: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List quarantined rows grouped by reason, or export them as CSV.",
            discussion: "The export holds the raw rows as delivered: it contains personal data; handle it as the extracts.\n\n"
                + "Reason codes:\n" + QuarantineReason.allCases.map { "  \($0.rawValue): \($0.explanation)" }.joined(separator: "\n")
        )

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "Only this source.") var source: String?
        @Option(help: "Only this reason code (e.g. invalid_date; upstream quarantine --help lists them).") var reason: String?
        @Option(help: "Write the quarantined rows to this CSV file.") var export: String?
        @Flag(help: "Print the figures as JSON.") var json = false

        struct Output: Codable {
            var total: Int
            var groups: [QuarantineGroup]
            var exported: Int?
            var exportFile: String?
        }

        func validate() throws {
            if let reason, QuarantineReason(rawValue: reason) == nil {
                throw ValidationError("--reason \(reason) is not a quarantine reason; the reasons are: \(QuarantineReason.codeList)")
            }
        }

        func run() throws {
            let store = try storeOptions.open()
            if let source {
                let known = try store.sources().map(\.name)
                guard known.contains(source) else {
                    throw ValidationError("--source \(source) is not a source in \(storeOptions.location); its sources are: "
                                          + (known.isEmpty ? "none (nothing is loaded yet)" : known.joined(separator: ", ")))
                }
            }
            var groups = try store.quarantineGroups(source: source)
            if let reason { groups = groups.filter { $0.reason == reason } }
            var exported: Int?
            if let export {
                guard FileManager.default.createFile(atPath: export, contents: nil),
                      let handle = FileHandle(forWritingAtPath: export) else {
                    throw CommandFailure.io("cannot write \(export): check that its folder exists and can be written")
                }
                defer { try? handle.close() }
                var n = 0
                var chunk = CSVWriter.line(["source", "file", "file_sha256", "line", "reason", "field", "raw"]) + "\r\n"
                try store.forEachQuarantinedRow(source: source, reason: reason) { q in
                    chunk += CSVWriter.line([q.source, q.fileName, q.fileSHA256, String(q.line), q.reason, q.field ?? "",
                                             String(decoding: q.raw, as: UTF8.self)]) + "\r\n"
                    n += 1
                    if chunk.utf8.count > 1 << 20 { handle.write(Data(chunk.utf8)); chunk = "" }
                }
                handle.write(Data(chunk.utf8))
                exported = n
            }
            let total = groups.reduce(0) { $0 + $1.count }
            if json {
                try IngestCLI.printJSON(Output(total: total, groups: groups, exported: exported, exportFile: export))
                return
            }
            if groups.isEmpty {
                print("No quarantined rows" + (source.map { " for \($0)" } ?? "") + ".")
            } else {
                print("\(total) quarantined rows")
                for r in Set(groups.map(\.reason)).sorted() {
                    let gs = groups.filter { $0.reason == r }
                    let explanation = QuarantineReason(rawValue: r)?.explanation ?? ""
                    print("\(r): \(gs.reduce(0) { $0 + $1.count })" + (explanation.isEmpty ? "" : " (\(explanation))"))
                    for g in gs {
                        print("  " + IngestCLI.pad(g.source, 22) + IngestCLI.pad(g.field ?? "", 34) + String(g.count))
                    }
                }
            }
            if let exported, let export { print("exported \(exported) rows to \(export)") }
        }
    }
}
