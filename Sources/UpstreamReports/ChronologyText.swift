import UpstreamChronology
import UpstreamModel

/// The chronology for a terminal: plain text in aligned columns, routine school census rows summarised per school year.
public enum ChronologyText {
    public static func render(_ c: Chronology) -> String {
        let d = ChronologyDigest(c)
        var out: [String] = []
        let title = "Multi-agency chronology: \(PlainText.clean(c.pseudonym))"
        out.append(title)
        out.append(String(repeating: "=", count: title.count))
        if !d.pseudonymousDescription.isEmpty { out.append(PlainText.clean(d.pseudonymousDescription)) }
        if c.identity != nil {
            out.append("*** IDENTIFIED — access audited ***")
            for i in d.identities {
                let name = [i.forename, i.middleNames, i.surname].compactMap { $0 }.joined(separator: " ")
                var ids: [String] = []
                if let v = i.dateOfBirth { ids.append("born \(v.iso)") }
                if let v = i.postcode { ids.append("postcode \(v)") }
                if let v = i.nhsNumber { ids.append("NHS \(v)") }
                if let v = i.upn { ids.append("UPN \(v)") }
                if let v = i.pncID { ids.append("PNC \(v)") }
                if let v = i.localID { ids.append("local id \(v)") }
                out.append(PlainText.clean("  \(name.isEmpty ? "(no name)" : name)\(ids.isEmpty ? "" : ": " + ids.joined(separator: ", "))"))
            }
        }
        out.append("")
        if let f = c.earliestContact ?? d.events.first {
            out.append("Earliest contact:        \(f.date.iso), age \(ChronologyDigest.age(f.age)), \(f.agency.title)")
        }
        if let f = d.firstSeriousViolence {
            out.append(PlainText.clean("First serious violence:  \(f.date.iso), age \(ChronologyDigest.age(f.age)), \(f.agency.title): \(f.summary)"))
        } else {
            out.append("First serious violence:  none recorded")
        }
        out.append("")

        out.append("ACEs recorded (\(c.aces.count))")
        if c.aces.isEmpty { out.append("  none") }
        out += PlainText.table(["#", "ACE", "first recorded", "age", "by"], right: [0, 3], rows: c.aces.enumerated().map { i, a in
            [String(i + 1), a.ace.title, a.firstRecorded.iso, ChronologyDigest.age(c.dateOfBirth.map { $0.age(on: a.firstRecorded) }), a.agency.title]
        }, skipIfEmpty: true)
        out.append("")

        out.append("Household (\(c.household.count))")
        if c.household.isEmpty { out.append("  none inferred") }
        out += PlainText.table(["relationship", "sex", "born", "together", "evidence"], right: [], rows: c.household.map { m in
            [m.relationship.rawValue.spaced, m.sex?.rawValue ?? "-", m.birthYear.map(String.init) ?? "-",
             "\(m.firstTogether.year)-\(m.lastTogether.year)", m.evidence]
        }, skipIfEmpty: true)
        if !c.householdEvents.isEmpty {
            out.append("Household ACE events (\(c.householdEvents.count))")
            out += PlainText.table(["date", "age", "ACE", "who", "by"], right: [1], rows: c.householdEvents.sorted { $0.date < $1.date }.map { h in
                [h.date.iso, ChronologyDigest.age(c.dateOfBirth.map { $0.age(on: h.date) }), h.ace.title,
                 h.relationship?.rawValue.spaced ?? "the young person", h.agency.title]
            }, skipIfEmpty: true)
        }
        out.append("")

        out.append("Contacts before age 10, 12 and 14 (excluding school census rows)")
        let contacts = d.contactRows
        if contacts.rows.isEmpty {
            out.append("  none")
        } else {
            out += PlainText.table(["agency", "<10", "<12", "<14"], right: [1, 2, 3],
                         rows: contacts.rows.map { [$0.1] + $0.2.map(String.init) } + [["all agencies"] + contacts.totals.map(String.init)],
                         skipIfEmpty: true)
        }
        out.append("")

        out.append("Events (\(d.events.count))")
        out += PlainText.table(["date", "age", "agency", "event", "source file:line", "link p"], right: [1, 5], rows: d.events.map { e in
            let mark = d.isFirstSeriousViolence(e) ? "!! FIRST SERIOUS VIOLENCE: " : e.seriousViolence ? "!  serious violence: " : ""
            return [e.date.iso, ChronologyDigest.age(e.age), e.agency.title, mark + e.summary, ChronologyRedaction.provenance(e, separator: " "),
                    Markup.probability(e.matchProbability)]
        }, skipIfEmpty: false)
        if !d.census.isEmpty {
            let total = d.census.reduce(0) { $0 + $1.rows }
            out.append("")
            out.append("School census: \(total) termly absence rows, per school year")
            out += PlainText.table(["school year", "rows", "from", "to"], right: [1], rows: d.census.map {
                [$0.label, String($0.rows), $0.first.iso, $0.last.iso]
            }, skipIfEmpty: true)
        }
        out.append("")

        out.append("Records merged (\(c.mergedRecords.count)), weakest link first: each was merged with the probability shown")
        out += PlainText.table(["source", "record id", "match p"], right: [2], rows: d.mergedWeakestFirst.map {
            [$0.source, $0.recordID, Markup.probability($0.matchProbability)]
        }, skipIfEmpty: false)
        return out.joined(separator: "\n") + "\n"
    }
}
