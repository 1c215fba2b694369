import ArgumentParser
import Foundation
import UpstreamLinkage
import UpstreamModel
import UpstreamWorkspace

/// Formatting helpers of the linkage renderings.
enum LinkCLI {
    static func printJSON<T: Encodable>(_ value: T) throws { print(try JSONFiles.text(value)) }

    static func fmt(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", x) }
}

/// Text and JSON renderings of linkage figures.
enum LinkReport {
    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    static func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }

    static func estimate(_ counts: [Blocking.RuleCount], records: Int, identities: Int, json: Bool) -> String {
        if json {
            struct E: Codable { var records: Int; var identities: Int; var rules: [Blocking.RuleCount]; var totalComparisons: Int }
            let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: (try? enc.encode(E(records: records, identities: identities, rules: counts, totalComparisons: counts.reduce(0) { $0 + $1.newPairs }))) ?? Data(), as: UTF8.self)
        }
        var s = "records \(records), distinct identities \(identities)\n"
        s += pad("rule", 56) + lpad("pairs", 14) + lpad("new pairs", 14) + lpad("blocks", 10) + lpad("largest", 9) + lpad("skipped", 9) + lpad("split", 7) + "\n"
        for c in counts {
            s += pad(c.rule, 56) + lpad(String(c.pairs), 14) + lpad(String(c.newPairs), 14) + lpad(String(c.blocks), 10) + lpad(String(c.largestBlock), 9) + lpad(String(c.skippedBlocks), 9) + lpad(String(c.splitBlocks), 7) + "\n"
        }
        s += "total comparisons (union, each pair once): \(counts.reduce(0) { $0 + $1.newPairs })"
        return s
    }

    static func model(_ m: LinkageModel, json: Bool) -> String {
        if json {
            let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: (try? enc.encode(m)) ?? Data(), as: UTF8.self)
        }
        var s = "Fellegi-Sunter model (format \(m.format))\n"
        s += "prior: lambda = \(String(format: "%.3g", m.lambda)) (prior weight \(LinkCLI.fmt(m.priorWeight, 2)) bits); trained on \(m.summary.records) records, \(m.summary.identities) distinct identities, \(m.summary.candidatePairs) candidate pairs, \(m.summary.uSamplePairs) random pairs for u\n"
        for sess in m.summary.sessions {
            s += "  EM session on \(sess.rule): \(sess.pairs) pairs, \(sess.iterations) iterations\(sess.converged ? "" : " (not converged)"), match share \(LinkCLI.fmt(sess.matchShare, 3)); trained \(sess.trained.joined(separator: ", "))\n"
        }
        if m.summary.reviewedPairs > 0 { s += "  m re-estimated with \(m.summary.reviewedPairs) accepted review decisions\n" }
        for c in m.comparisons {
            let tf = m.settings.comparisons.first { $0.name == c.name }?.termFrequencyAdjusted ?? false
            s += "\n" + c.name + (tf ? "  (exact level term-frequency adjusted)" : "") + "\n"
            s += "  " + pad("level", 48) + lpad("m", 10) + lpad("u", 12) + lpad("weight", 9) + "\n"
            for l in c.levels {
                s += "  " + pad(l.label, 48) + lpad(String(format: "%.4g", l.m), 10) + lpad(String(format: "%.4g", l.u), 12) + lpad(LinkCLI.fmt(l.weight, 2), 9) + "\n"
            }
            s += "  " + pad("null (missing on either side)", 48) + lpad("", 10) + lpad("", 12) + lpad("0.00", 9) + "\n"
        }
        return s
    }

    static func waterfall(_ e: Prediction.Explanation) -> String {
        var s = "\nwaterfall (bits; + for, - against):\n"
        s += "  " + pad("prior", 12) + pad("", 46) + lpad(LinkCLI.fmt(e.priorWeight, 2), 8) + lpad(LinkCLI.fmt(e.priorWeight, 2), 9) + "\n"
        for st in e.steps {
            let vals = "\(st.left ?? "—") | \(st.right ?? "—")"
            let w = st.weight + st.tfAdjustment
            s += "  " + pad(st.comparison, 12) + pad(st.level + "  [" + vals + "]", 46) + lpad(LinkCLI.fmt(w, 2), 8) + lpad(LinkCLI.fmt(st.cumulative, 2), 9)
            s += st.tfAdjustment != 0 ? "  (tf \(LinkCLI.fmt(st.tfAdjustment, 2)))\n" : "\n"
        }
        s += "  total weight \(LinkCLI.fmt(e.weight, 2)) bits, match probability \(String(format: "%.6f", e.probability))"
        return s
    }

    static func summary(_ o: LinkSummary) -> String {
        var s = "linked \(o.records) records (\(o.identities) distinct identities) into \(o.persons) persons; \(o.candidatePairs) pairs compared, \(o.scoredPairs) kept; \(o.reviewPending) pairs for review; threshold \(o.threshold)"
        if let n = o.newRecords { s += "; \(n) new records linked incrementally" }
        if let r = o.refresh {
            s += "\n  refresh: "
            if let c = r.candidatePersons, let screened = r.identitiesScreened {
                s += "\(c) persons could meet the new records; one record of each of their \(screened) identities scored first; "
            }
            s += "\(r.personsRead) persons read whole (\(r.existingRecordsRead) stored records)"
            if let p = r.personsPaired { s += ", \(p) with a pair in the review band or above" }
            if r.indexBuilt { s += "; the block index was built first (one whole read of the store)" }
        }
        if let r = o.review, r.queued < r.inBand {
            s += "\n  review band \(r.inBand) pairs: \(r.alreadyOnePerson) already one person, \(r.samePersons) between persons another pair represents, \(r.overCap) over the cap (max_review_pairs) left out"
        }
        if o.truncatedValues > 0 { s += "\ndata quality: \(o.truncatedValues) values longer than max_field_length were cut before comparison" }
        for r in o.inputs ?? [] where r.quarantinedTotal > 0 || r.unreadableDates > 0 {
            s += "\ninput \(r.file): \(r.rowsRead) rows read, \(r.loaded) linked, \(r.quarantinedTotal) quarantined"
            if r.unreadableDates > 0 { s += ", \(r.unreadableDates) with an unreadable date of birth (linked without it)" }
        }
        s += "\ntime " + LinkCLI.fmt(o.timings.total, 2) + " s (" + o.timings.stages.sorted { $0.key < $1.key }.map { "\($0.key) \(LinkCLI.fmt($0.value, 2))" }.joined(separator: ", ") + ")"
        if let e = o.evaluation {
            s += "\n\nevaluation on \(e.records) records (\(e.truePersons) true persons, \(e.predictedPersons) predicted)"
            s += "\n  pairwise precision \(LinkCLI.fmt(e.pairwise.precision)) recall \(LinkCLI.fmt(e.pairwise.recall)) F1 \(LinkCLI.fmt(e.pairwise.f1))  (true pairs \(e.pairwise.truePairs), predicted \(e.pairwise.predictedPairs), correct \(e.pairwise.correctPairs))"
            s += "\n  B-cubed precision \(LinkCLI.fmt(e.bcubedPrecision)) recall \(LinkCLI.fmt(e.bcubedRecall)) F1 \(LinkCLI.fmt(e.bcubedF1)); persons reconstructed exactly \(LinkCLI.fmt(e.exactPersons))"
            s += "\n\n  " + pad("agency pair", 40) + lpad("true pairs", 12) + lpad("precision", 11) + lpad("recall", 9) + lpad("F1", 9)
            for a in e.agencyPairs {
                s += "\n  " + pad(a.left + " – " + a.right, 40) + lpad(String(a.pairwise.truePairs), 12) + lpad(LinkCLI.fmt(a.pairwise.precision), 11) + lpad(LinkCLI.fmt(a.pairwise.recall), 9) + lpad(LinkCLI.fmt(a.pairwise.f1), 9)
            }
        }
        if let sw = o.sweep {
            s += "\n\n  threshold sweep\n  " + pad("threshold", 11) + lpad("precision", 11) + lpad("recall", 9) + lpad("F1", 9) + lpad("B3 F1", 9) + lpad("persons", 9)
            for r in sw {
                s += "\n  " + pad(String(r.threshold), 11) + lpad(LinkCLI.fmt(r.precision), 11) + lpad(LinkCLI.fmt(r.recall), 9) + lpad(LinkCLI.fmt(r.f1), 9) + lpad(LinkCLI.fmt(r.bcubedF1), 9) + lpad(String(r.persons), 9)
            }
        }
        return s
    }
}
