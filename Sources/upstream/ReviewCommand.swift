import ArgumentParser
import Foundation
import UpstreamGovernance
import UpstreamLinkage
import UpstreamModel
import UpstreamWorkspace

extension Upstream {
    /// `upstream review`: the clerical review queue of uncertain pairs.
    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show uncertain pairs side by side and record accept or reject decisions.",
            discussion: """
            The queue holds pairs whose match probability fell between the review and match thresholds at the last \
            upstream link. Decisions are kept in the store's review queue and override the model on the next link: an \
            accepted pair is always one person, a rejected pair never is. upstream link --reestimate also uses \
            accepted pairs to re-estimate m.
            """
        )

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: .hidden) var state: String?
        @Option(help: "Show this many pending pairs.") var limit = 10
        @Option(help: "Show one pair in full by its id.") var show: String?
        @Option(help: "Accept a pair (same person) by its id.") var accept: [String] = []
        @Option(help: "Reject a pair (different people) by its id.") var reject: [String] = []
        @Option(help: "Why (required with --accept/--reject; recorded in the audit trail).") var reason: String?
        @Option(help: "The role you decide in (supervisors decide linkage pairs; recorded as self-asserted).") var role: Role = .supervisor
        @Flag(help: "Print as JSON.") var json = false

        func validate() throws {
            if state != nil { throw ValidationError(LinkSourceOptions.stateRetired) }
            if storeOptions.store == nil { throw ValidationError("give --store PATH: the store the linkage run was kept in") }
            if limit < 0 { throw ValidationError("--limit must be 0 or more") }
            if !accept.isEmpty || !reject.isEmpty, (try? Purpose(reason, for: "--accept/--reject")) == nil {
                throw ValidationError("--accept/--reject need --reason \"…\": say why, in words (it is recorded)")
            }
        }

        func run() throws {
            let queue = try LinkReview(store: storeOptions.location)
            if !accept.isEmpty || !reject.isEmpty {
                let user = User.selfAsserted(storeOptions.userName, role: role)
                let (done, review) = try queue.decide(accept: accept, reject: reject, user: user, reason: reason!, at: Int64(Date().timeIntervalSince1970))
                if json { try LinkCLI.printJSON(["decided": done, "pending": ["\(review.pending.count)"]]) } else {
                    print(done.joined(separator: "\n"))
                    print("\(review.pending.count) pairs still pending; decisions apply at the next upstream link")
                }
                return
            }
            let review = try queue.queue()
            if let show {
                guard let item = review.pending.first(where: { $0.id == show }) else { throw ValidationError("no pending pair \(show)") }
                if json { try LinkCLI.printJSON(item) } else { print(render(item, full: true)) }
                return
            }
            let items = Array(review.pending.prefix(limit))
            if json {
                struct Out: Codable { var pending: Int; var decided: Int; var items: [UpstreamLinkage.ReviewItem] }
                try LinkCLI.printJSON(Out(pending: review.pending.count, decided: review.latestDecisions.count, items: items))
                return
            }
            print("\(review.pending.count) pairs pending, \(review.latestDecisions.count) decided")
            for item in items { print("\n" + render(item, full: false)) }
            if review.pending.count > items.count { print("\n… \(review.pending.count - items.count) more (--limit N)") }
            print("\ndecide with: upstream review --store \(storeOptions.location) --accept ID | --reject ID --reason \"…\"")
        }

        func render(_ item: UpstreamLinkage.ReviewItem, full: Bool) -> String {
            var s = "pair \(item.id)  probability \(String(format: "%.4f", item.probability))  weight \(LinkCLI.fmt(item.weight, 2))\(item.linkedNow ? "  (currently one person through other links)" : "")\n"
            s += "  " + LinkReport.pad("", 12) + LinkReport.pad("\(item.left.source):\(item.left.recordID)", 34) + LinkReport.pad("\(item.right.source):\(item.right.recordID)", 34) + LinkReport.lpad("bits", 8) + "\n"
            for st in item.explanation?.steps ?? [] {
                s += "  " + LinkReport.pad(st.comparison, 12) + LinkReport.pad(st.left ?? "—", 34) + LinkReport.pad(st.right ?? "—", 34) + LinkReport.lpad(LinkCLI.fmt(st.weight + st.tfAdjustment, 2), 8)
                s += full ? "  \(st.level)\n" : "\n"
            }
            return s
        }
    }
}
