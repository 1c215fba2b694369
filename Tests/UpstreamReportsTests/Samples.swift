@testable import UpstreamChronology
import UpstreamModel
import UpstreamReports

/// Sample values for the renderers, built directly (synthetic; no store, no linkage).
enum Samples {
    static func date(_ y: Int, _ m: Int, _ d: Int) -> CivilDate { CivilDate(year: y, month: m, day: d)! }

    static let dob = date(2003, 5, 14)

    /// A young person with 20 events across 5 agencies, termly school census rows from 2008 to 2019, a household of three
    /// with 3 household ACE events, and a first serious violence at 16 (a knife assault), then a knife robbery.
    static func chronology(pseudonym: String = "KESTREL-4821", detail: String? = nil, evidence: String = "same address and surname 2003–2019",
                           area: String = "E01033512", identity: [Identity]? = nil) -> Chronology {
        var entries: [ChronologyEntry] = []
        var line = 2
        func add(_ d: CivilDate, _ agency: Agency, _ kind: EventKind, role: EventRole? = nil, offence: String? = nil, flags: String = "",
                 detail: String? = nil, sv: Bool = false, p: Double? = 0.998) {
            line += 7
            let source = agency.rawValue + "_" + kind.rawValue
            entries.append(ChronologyEntry(
                date: d, minuteOfDay: nil, age: dob.age(on: d), agency: agency, kind: kind, role: role, offenceCode: offence,
                flags: flags, detail: detail, seriousViolence: sv, source: source, recordID: String(100_000 + line),
                fileName: source + ".csv", line: line, matchProbability: p))
        }
        // Emergency departments (3)
        add(date(2004, 2, 10), .health, .edAttendance, detail: "head injury, fall")
        add(date(2008, 7, 2), .health, .edAttendance, detail: "burn to hand", p: 0.962)
        add(date(2018, 11, 3), .health, .edAttendance, role: .victim, detail: "stab wound to leg")
        // Children's social care (5)
        add(date(2005, 11, 3), .socialCare, .socialCareContact, detail: detail ?? "police notification: domestic abuse")
        add(date(2006, 1, 20), .socialCare, .socialCareReferral)
        add(date(2006, 3, 1), .socialCare, .socialCareAssessment)
        add(date(2009, 10, 5), .socialCare, .childInNeedPlan, p: 0.871)
        add(date(2012, 6, 18), .socialCare, .childProtectionPlan, detail: "neglect")
        // Schools (4 events; census rows below)
        add(date(2014, 1, 15), .school, .suspension, detail: "persistent disruptive behaviour")
        add(date(2015, 5, 5), .school, .suspension, detail: "physical assault against a pupil")
        add(date(2016, 2, 2), .school, .permanentExclusion)
        add(date(2016, 4, 1), .school, .alternativeProvision)
        // Police (6)
        add(date(2011, 8, 8), .police, .missingPersonReport, role: .subject)
        add(date(2014, 9, 9), .police, .stopSearch, role: .subject, detail: "nothing found")
        add(date(2015, 6, 12), .police, .crime, role: .suspect, offence: "8N", p: 0.734)
        add(date(2018, 3, 3), .police, .crime, role: .victim, offence: "34A")
        add(date(2019, 8, 23), .police, .crime, role: .suspect, offence: "8N", flags: "KNIFE", detail: detail, sv: true)
        add(date(2020, 2, 14), .police, .crime, role: .offender, offence: "34A", flags: "KNIFE|GANG", sv: true)
        // Youth justice (2)
        add(date(2015, 10, 1), .youthJustice, .youthJusticeDisposal, detail: "referral order")
        add(date(2019, 11, 20), .youthJustice, .youthJusticeDisposal, detail: "youth rehabilitation order")
        // School census: three termly absence rows a year, 2008/09 to 2018/19.
        for y in 2008...2018 {
            for (m, d) in [(12, 15), (4, 1), (7, 20)] {
                add(date(m >= 9 ? y : y + 1, m, d), .school, .termAbsence, detail: "sessions missed 12")
            }
        }
        entries.sort { ($0.date, $0.source) < ($1.date, $1.source) }

        let mother = HouseholdMember(personID: "P-MOTHER", relationship: .parent, sex: .female, birthYear: 1984,
                                     firstTogether: dob, lastTogether: date(2019, 12, 1), evidence: evidence)
        let step = HouseholdMember(personID: "P-STEP", relationship: .stepParentOrCarer, sex: .male, birthYear: 1979,
                                   firstTogether: date(2005, 3, 1), lastTogether: date(2012, 1, 1),
                                   evidence: "same address, different surname, from 2005")
        let sibling = HouseholdMember(personID: "P-SIB", relationship: .sibling, sex: .female, birthYear: 2007,
                                      firstTogether: date(2007, 9, 2), lastTogether: date(2019, 12, 1), evidence: "same address and surname, born 2007")
        let events = [
            HouseholdACEEvent(date: date(2005, 10, 30), ace: .domesticViolence, memberID: "P-STEP", relationship: .stepParentOrCarer,
                              description: "domestic abuse crime, step-parent suspect", agency: .police, source: "police_crime", recordID: "9001"),
            HouseholdACEEvent(date: date(2009, 4, 14), ace: .householdIncarceration, memberID: "P-STEP", relationship: .stepParentOrCarer,
                              description: "prison reception", agency: .prison, source: "prison_receptions", recordID: "9002"),
            HouseholdACEEvent(date: date(2010, 2, 2), ace: .householdSubstanceMisuse, memberID: "P-MOTHER", relationship: .parent,
                              description: "opiate treatment started", agency: .substanceMisuse, source: "drug_treatment", recordID: "9003"),
        ]
        let aces = events.map { ACEFinding(ace: $0.ace, firstRecorded: $0.date, agency: $0.agency, source: $0.source, recordID: $0.recordID) }
        var before: [String: [String: Int]] = [:]
        for limit in [10, 12, 14] {
            var counts: [String: Int] = [:]
            for e in entries where e.kind != .termAbsence && (e.age ?? 99) < limit { counts[e.agency.rawValue, default: 0] += 1 }
            before[String(limit)] = counts
        }
        let merged = entries.enumerated().map { i, e in
            Chronology.MergedRecord(source: e.source, recordID: e.recordID, matchProbability: i == 0 ? nil : e.matchProbability)
        }
        return Chronology(
            personID: "P-000123", pseudonym: pseudonym, sex: .male, dateOfBirth: dob, area: area, entries: entries,
            household: [mother, step, sibling], householdEvents: events, aces: aces, contactsBefore: before,
            firstSeriousViolence: entries.first { $0.seriousViolence },
            earliestContact: entries.first { $0.kind != .termAbsence },
            mergedRecords: merged, identity: identity)
    }

    static let identity = Identity(forename: "Danny", surname: "Okonkwo-Reyes", dateOfBirth: dob, sex: .male, postcode: "LS9 7QX",
                                   nhsNumber: "9434765919", upn: "A123456789012", pncID: "03/123456Z", localID: "CHILD-77")

    static func demo(cases: [DemoReport.Case]? = nil) -> DemoReport {
        let sources = [
            DemoReport.SourceRow(source: "police_crime", agency: .police, rowsRead: 48_210, loaded: 47_955, quarantined: 255),
            DemoReport.SourceRow(source: "police_incidents", agency: .police, rowsRead: 30_100, loaded: 30_012, quarantined: 88),
            DemoReport.SourceRow(source: "school_census", agency: .school, rowsRead: 120_400, loaded: 119_800, quarantined: 600),
            DemoReport.SourceRow(source: "ed_attendances", agency: .health, rowsRead: 25_000, loaded: 24_700, quarantined: 300),
            DemoReport.SourceRow(source: "csc_contacts", agency: .socialCare, rowsRead: 9_800, loaded: 9_790, quarantined: 10),
            DemoReport.SourceRow(source: "yot_disposals", agency: .youthJustice, rowsRead: 1_200, loaded: 1_200, quarantined: 0),
        ]
        let quarantine = [
            DemoReport.QuarantineRow(source: "school_census", reason: "invalid_date", field: "dob", count: 410),
            DemoReport.QuarantineRow(source: "school_census", reason: "missing_required", field: "upn", count: 190),
            DemoReport.QuarantineRow(source: "ed_attendances", reason: "invalid_nhs_number", field: "nhs_number", count: 300),
            DemoReport.QuarantineRow(source: "police_crime", reason: "unparseable_row", field: nil, count: 255),
        ]
        let sweep = stride(from: 0.5, through: 0.99, by: 0.05).map { t in
            DemoReport.SweepPoint(threshold: t, precision: 0.90 + 0.095 * (t - 0.5) / 0.49, recall: 0.985 - 0.08 * (t - 0.5) / 0.49,
                                  f1: 0.94 + 0.01 * (1 - abs(t - 0.85) * 3))
        }
        let linkage = DemoReport.LinkageQuality(precision: 0.9812, recall: 0.9534, f1: 0.9671, threshold: 0.9, sweep: sweep,
                                                persons: 10_342, truePersons: 10_000)
        let defaultCases = [
            DemoReport.Case(pseudonym: "KESTREL-4821", href: "chronology/KESTREL-4821.html", sex: .male, birthYear: 2003, recordedACEs: 6,
                            firstSeriousViolence: date(2019, 8, 23), ageAtFirstSeriousViolence: 16, earliestContact: date(2004, 2, 10),
                            ageAtEarliestContact: 0, earliestAgency: .health),
            DemoReport.Case(pseudonym: "HERON-0193", href: "chronology/HERON-0193.html", sex: .male, birthYear: 2004, recordedACEs: 5,
                            firstSeriousViolence: date(2020, 1, 9), ageAtFirstSeriousViolence: 15, earliestContact: date(2007, 6, 1),
                            ageAtEarliestContact: 3, earliestAgency: .socialCare),
            DemoReport.Case(pseudonym: "WREN-7710", href: "chronology/WREN-7710.html", sex: .female, birthYear: 2002, recordedACEs: 4,
                            firstSeriousViolence: date(2018, 5, 30), ageAtFirstSeriousViolence: 16, earliestContact: date(2009, 9, 12),
                            ageAtEarliestContact: 7, earliestAgency: .police),
        ]
        return DemoReport(title: "Upstream demo: a synthetic city", generatedAt: "2026-11-25 21:00 UTC", people: 20_000, seed: 42,
                          sources: sources, quarantine: quarantine, linkage: linkage, cases: cases ?? defaultCases,
                          notes: ["Counts are from a synthetic city; small counts are shown unrounded.",
                                  "Linkage quality is measured pairwise against the generator's truth."])
    }
}
