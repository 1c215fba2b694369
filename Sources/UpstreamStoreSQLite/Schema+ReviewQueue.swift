import Foundation
import GRDB

extension Schema {
    /// `v7-review-queue`: converts, once, the review rows earlier versions wrote in their own shapes into the review
    /// state machine's shape (UpstreamGovernance's `ReviewItem`: `subject`, `state`, `history`), which the command line
    /// and the web app now both read and write:
    /// - `linkage-pairs` rows (`{order, item, decision, review}`) keep their pair (`left`, `right`, `order`, `item`)
    ///   beside the machine; a command-line decision becomes one history step by its reviewer (self-asserted,
    ///   supervisor, "recorded with upstream review");
    /// - `risk-flags` rows holding a list of flags become the machine with the latest decision as one step, by its
    ///   `decidedBy` (else "upstream risk review") with its reason (else "recorded with upstream risk review").
    /// Rows already in the new shape are left alone. The PostgreSQL adapter does the same in SQL.
    static func registerReviewQueue(_ m: inout DatabaseMigrator) {
        m.registerMigration("v7-review-queue: linkage pairs and risk flags as review state machines") { db in
            let rows = try Row.fetchAll(db, sql: "SELECT queue, subject, pending, updated_at, state FROM review_items WHERE queue IN ('linkage-pairs', 'risk-flags')")
            for r in rows {
                let queue: String = r["queue"], subject: String = r["subject"], pending: Bool = r["pending"]
                let state: Data = r["state"]
                guard let old = try? JSONSerialization.jsonObject(with: state) else { continue }
                let converted: (Any, Bool)? = queue == "linkage-pairs"
                    ? ReviewQueueMigration.pair(old, subject: subject, pending: pending)
                    : ReviewQueueMigration.flags(old, subject: subject, updatedAt: r["updated_at"])
                guard let (json, nowPending) = converted else { continue }
                try db.execute(sql: "UPDATE review_items SET state = ?, pending = ? WHERE queue = ? AND subject = ?",
                               arguments: [try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), nowPending, queue, subject])
            }
        }
    }
}

/// The conversions of `v7-review-queue`, on parsed JSON.
enum ReviewQueueMigration {
    static let riskDecisions: Set<String> = ["offer-support", "already-supported", "refer-for-assessment", "no-further-action"]

    static func decided(_ decision: String, by name: String, at: Any, reason: String) -> ([String: Any], [[String: Any]]) {
        (["decided": ["_0": decision]],
         [["at": at, "by": ["name": name, "kind": "self-asserted", "role": "supervisor"], "what": "decided \(decision)", "reason": reason]])
    }

    /// A linkage pair's old row as the new shape, or nil when it is already new.
    static func pair(_ old: Any, subject: String, pending: Bool) -> (Any, Bool)? {
        guard let o = old as? [String: Any], o["state"] == nil else { return nil }
        let item = o["item"] as? [String: Any], decision = o["decision"] as? [String: Any]
        var new: [String: Any] = ["subject": subject, "state": ["pending": [String: Any]()], "history": [Any]()]
        if let review = o["review"] as? [String: Any] {
            new["state"] = review["state"]; new["history"] = review["history"]
        } else if !pending, let d = decision {
            let (s, h) = decided(d["verdict"] as? String == "accept" ? "same-person" : "different-people",
                                 by: d["reviewer"] as? String ?? "upstream review", at: d["decidedAt"] ?? 0, reason: "recorded with upstream review")
            new["state"] = s; new["history"] = h
        }
        new["left"] = item?["left"] ?? decision?["left"]
        new["right"] = item?["right"] ?? decision?["right"]
        if let order = o["order"] { new["order"] = order }
        if let item { new["item"] = item }
        return (new, pending)
    }

    /// A risk flag's old row (a list of flags) as the new shape, or nil when it is already new.
    static func flags(_ old: Any, subject: String, updatedAt: Int64) -> (Any, Bool)? {
        guard let list = old as? [[String: Any]] else { return nil }
        var new: [String: Any] = ["subject": subject, "state": ["pending": [String: Any]()], "history": [Any]()]
        if let last = list.last(where: { $0["decision"] is String }), let d = last["decision"] as? String, riskDecisions.contains(d) {
            let reason = (last["decisionReason"] as? String).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            let (s, h) = decided(d, by: last["decidedBy"] as? String ?? "upstream risk review", at: updatedAt,
                                 reason: reason.flatMap { $0.isEmpty ? nil : $0 } ?? "recorded with upstream risk review")
            new["state"] = s; new["history"] = h
            return (new, false)
        }
        return (new, true)
    }
}
