import UpstreamChronology
import UpstreamModel

/// What both chronology renderings need, worked out once: the events to plot, the routine school census rows
/// summarised per school year, the agencies with lanes, and the span of the timeline.
struct ChronologyDigest {
    /// Termly absence rows of one school year (1 September – 31 August).
    struct CensusYear {
        var schoolYear: Int
        var rows: Int
        var first: CivilDate
        var last: CivilDate
        /// Source files and lines, for provenance (`file:line`).
        var provenance: [String]
        var label: String {
            let next = (schoolYear + 1) % 100
            return "\(schoolYear)/\(next < 10 ? "0" : "")\(next)"
        }
        var start: CivilDate { CivilDate(year: schoolYear, month: 9, day: 1)! }
        var end: CivilDate { CivilDate(year: schoolYear + 1, month: 8, day: 31)! }
    }

    static let routine: Set<EventKind> = [.termAbsence]

    let chronology: Chronology
    /// Entries other than routine census rows, in time order.
    let events: [ChronologyEntry]
    let census: [CensusYear]
    /// Agencies with at least one entry (census rows included), in the order lanes are drawn.
    let agencies: [Agency]
    /// The first serious violence entry, as recorded by the chronology (or the first flagged entry).
    let firstSeriousViolence: ChronologyEntry?

    init(_ c: Chronology) {
        chronology = c
        events = c.entries.filter { !Self.routine.contains($0.kind) }
            .sorted { ($0.date, $0.minuteOfDay ?? 0, $0.source, $0.recordID) < ($1.date, $1.minuteOfDay ?? 0, $1.source, $1.recordID) }
        var years: [Int: CensusYear] = [:]
        for e in c.entries where Self.routine.contains(e.kind) {
            let y = e.date.schoolYear
            var cy = years[y] ?? CensusYear(schoolYear: y, rows: 0, first: e.date, last: e.date, provenance: [])
            cy.rows += 1
            cy.first = min(cy.first, e.date)
            cy.last = max(cy.last, e.date)
            if !ChronologyRedaction.isWithheld(e) { cy.provenance.append("\(e.fileName):\(e.line)") }
            years[y] = cy
        }
        census = years.values.sorted { $0.schoolYear < $1.schoolYear }
        let present = Set(c.entries.map(\.agency))
        agencies = Self.laneOrder.filter(present.contains)
        firstSeriousViolence = c.firstSeriousViolence ?? events.first { $0.seriousViolence }
    }

    /// Lanes run roughly in the order agencies meet a child: care and health first, then school, police, justice.
    static let laneOrder: [Agency] = [
        .socialCare, .health, .school, .police, .youthJustice, .mentalHealth, .substanceMisuse, .probation, .prison,
    ]

    /// Whether `e` is the first serious violence.
    func isFirstSeriousViolence(_ e: ChronologyEntry) -> Bool {
        guard let f = firstSeriousViolence else { return false }
        return f.source == e.source && f.recordID == e.recordID && f.date == e.date
    }

    /// The latest date anything on the page happened.
    var lastDate: CivilDate? {
        let dates = chronology.entries.map(\.date) + chronology.householdEvents.map(\.date) + chronology.aces.map(\.firstRecorded)
        return dates.max()
    }

    var firstDate: CivilDate? {
        let dates = chronology.entries.map(\.date) + chronology.householdEvents.map(\.date) + chronology.aces.map(\.firstRecorded)
        return dates.min()
    }

    /// Age in whole years on the latest recorded date, when the date of birth is known.
    var currentAge: Int? {
        guard let dob = chronology.dateOfBirth, let last = lastDate else { return nil }
        return max(0, dob.age(on: last))
    }

    /// The person as shown when not identified: pseudonym, sex, birth year, area.
    var pseudonymousDescription: String {
        var parts: [String] = []
        if let s = chronology.sex { parts.append(s == .male ? "male" : "female") }
        if let d = chronology.dateOfBirth { parts.append("born \(d.year)") }
        if let a = chronology.area { parts.append("area \(a)") }
        return parts.joined(separator: ", ")
    }

    /// Contacts before 10/12/14 as rows: agency, then the three counts, agencies in lane order; and the totals.
    var contactRows: (rows: [(Agency?, String, [Int])], totals: [Int]) {
        let limits = ["10", "12", "14"]
        var keys = Set<String>()
        for l in limits { if let d = chronology.contactsBefore[l] { keys.formUnion(d.keys) } }
        let known = Self.laneOrder.filter { keys.contains($0.rawValue) }
        let unknown = keys.subtracting(known.map(\.rawValue)).sorted()
        var rows: [(Agency?, String, [Int])] = []
        for a in known { rows.append((a, a.title, limits.map { chronology.contactsBefore[$0]?[a.rawValue] ?? 0 })) }
        for k in unknown { rows.append((nil, k.spaced, limits.map { chronology.contactsBefore[$0]?[k] ?? 0 })) }
        let totals = limits.map { l in chronology.contactsBefore[l]?.values.reduce(0, +) ?? 0 }
        return (rows, totals)
    }

    /// Merged records, weakest links first (anchors, which carry no probability, last).
    var mergedWeakestFirst: [Chronology.MergedRecord] {
        chronology.mergedRecords.sorted {
            ($0.matchProbability ?? 2, $0.source, $0.recordID) < ($1.matchProbability ?? 2, $1.source, $1.recordID)
        }
    }

    /// Distinct identities, for the identified view.
    var identities: [Identity] {
        guard let ids = chronology.identity else { return [] }
        var seen = Set<Identity>()
        return ids.filter { seen.insert($0).inserted }
    }

    /// One line describing an entry.
    static func describe(_ e: ChronologyEntry) -> String { e.summary }

    /// Age text: `"16"`, or `"–"` when unknown.
    static func age(_ a: Int?) -> String { a.map(String.init) ?? "–" }
}
