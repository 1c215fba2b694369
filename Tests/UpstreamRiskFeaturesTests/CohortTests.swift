import Testing
import UpstreamChronology
import UpstreamModel
import UpstreamRisk
@testable import UpstreamRiskFeatures

/// Hand-made records of a few people, to check each feature and the outcome against values worked out by hand.
enum Hand {
    static func date(_ s: String) -> CivilDate { CivilDate.parse(s, layout: .iso)! }
    nonisolated(unsafe) static var counter = 0

    static func record(_ person: String, _ agency: Agency, _ kind: EventKind, _ day: String, role: EventRole = .subject,
                       code: String? = nil, flags: CrimeFlags = [], detail: String? = nil, reference: String? = nil,
                       dob: String = "2008-03-15", postcode: String = "UC1 1AA", extras: [String: String] = [:],
                       surname: String? = nil) -> LinkedRecord {
        counter += 1
        let id = Identity(surname: surname ?? "SMITH-" + person, dateOfBirth: date(dob), sex: .male, postcode: postcode, ethnicity: "W")
        let e = Event(kind: kind, date: date(day), role: role, offenceCode: code, flags: flags, detail: detail, reference: reference)
        let source = agency.rawValue + "_" + kind.rawValue
        let r = SourceRecord(source: source, recordID: "R\(counter)", agency: agency, identity: id, event: e,
                             provenance: Provenance(source: source, fileName: "f.csv", fileSHA256: "", line: counter, loadedAt: 0))
        return LinkedRecord(personID: person, record: r, extras: extras)
    }
}

@Suite("Cohorts and features as of a date")
struct CohortTests {
    let asOf = Hand.date("2021-01-01")

    func value(_ row: CohortRow, _ name: String) -> Float { row.features[RiskFeatures.column(name)!] }

    @Test func featuresCountWhatWasRecordedBeforeTheDate() throws {
        let records = [
            Hand.record("A", .school, .suspension, "2019-10-10"),
            Hand.record("A", .school, .suspension, "2020-02-01"),
            Hand.record("A", .school, .suspension, "2020-11-20"),
            Hand.record("A", .school, .suspension, "2021-03-01"),  // after the date: ignored
            Hand.record("A", .school, .termAbsence, "2020-09-01",
                        extras: ["SessionsPossible": "100", "SessionsAuthorisedAbsence": "5", "SessionsUnauthorisedAbsence": "15", "FSM": "Y"]),
            Hand.record("A", .police, .crime, "2018-05-01", role: .victim, code: "8N"),
            Hand.record("A", .socialCare, .socialCareReferral, "2016-06-01", detail: "3A"),
            Hand.record("A", .school, .suspension, "2015-05-01"),  // before the five-year lookback: ignored
            Hand.record("A", .police, .crime, "2020-06-01", role: .suspect, code: "34B", reference: "C1"),
            Hand.record("B", .police, .crime, "2020-06-01", role: .suspect, code: "34B", reference: "C1", dob: "1999-01-01", postcode: "UC9 9ZZ"),
            Hand.record("B", .police, .crime, "2019-01-01", role: .suspect, code: "5D", reference: "C0", dob: "1999-01-01", postcode: "UC9 9ZZ"),
        ]
        let builder = CohortBuilder(records: records, postcodeDeprivation: ["UC1 1AA": 2])
        let cohort = builder.cohort(asOf: asOf)
        let a = try #require(cohort.rows.first { $0.personID == "A" })
        #expect(cohort.rows.count == 1)  // B is an adult
        #expect(value(a, "school_suspensions_5y") == 3)
        #expect(value(a, "school_suspensions_12m") == 2)
        #expect(value(a, "school_absence_rate_12m") == 0.2)
        #expect(value(a, "school_unauthorised_rate_12m") == 0.15)
        #expect(value(a, "free_school_meals") == 1)
        #expect(value(a, "police_violence_victim_5y") == 1)
        #expect(value(a, "police_violence_suspect_5y") == 1)
        #expect(abs(value(a, "years_since_first_social_care") - 1675 / 365.25) < 1e-5)
        #expect(abs(value(a, "years_since_first_police") - 976 / 365.25) < 1e-5)
        #expect(value(a, "years_since_first_youth_justice").isNaN)
        #expect(value(a, "co_offenders_5y") == 1)
        #expect(value(a, "co_offenders_serious_violence") == 1)
        #expect(value(a, "ace_domestic_violence") == 1)
        #expect(value(a, "ace_count") == 1)
        #expect(value(a, "deprivation_decile") == 2)
        #expect(a.deprivationQuintile == "Q1")
        #expect(value(a, "days_since_police") == Float(asOf.dayNumber - Hand.date("2020-06-01").dayNumber))
        #expect(abs(value(a, "age") - 12.8) < 0.01)
    }

    @Test func outcomeIsAFirstSeriousViolenceOffenceWithinTheHorizon() {
        let records = [
            Hand.record("Soon", .school, .suspension, "2020-01-01"),
            Hand.record("Soon", .police, .crime, "2022-06-01", role: .suspect, code: "5D"),
            Hand.record("Late", .school, .suspension, "2020-01-01"),
            Hand.record("Late", .police, .crime, "2023-06-01", role: .suspect, code: "5D"),
            Hand.record("Victim", .school, .suspension, "2020-01-01"),
            Hand.record("Victim", .police, .crime, "2021-06-01", role: .victim, code: "5D"),
            Hand.record("Knife", .school, .suspension, "2020-01-01"),
            Hand.record("Knife", .police, .crime, "2021-06-01", role: .offender, code: "8N", flags: .knife),
            Hand.record("NoKnife", .school, .suspension, "2020-01-01"),
            Hand.record("NoKnife", .police, .crime, "2021-06-01", role: .offender, code: "8N"),
            Hand.record("Already", .police, .crime, "2020-06-01", role: .suspect, code: "1"),
            Hand.record("Young", .school, .suspension, "2020-01-01", dob: "2015-01-01"),
            Hand.record("NoDOB", .school, .suspension, "2020-01-01", dob: "1800-01-01"),
        ]
        let cohort = CohortBuilder(records: records).cohort(asOf: asOf)
        let outcome = Dictionary(uniqueKeysWithValues: cohort.rows.map { ($0.personID, $0.outcome) })
        #expect(outcome == ["Soon": 1, "Late": 0, "Victim": 0, "Knife": 1, "NoKnife": 0])
        #expect(cohort.excluded["serious violence already recorded"] == 1)
        #expect(cohort.excluded["no date of birth recorded"] == 1)
        #expect(cohort.rows.first { $0.personID == "Soon" }?.outcomeDate == Hand.date("2022-06-01"))
    }

    @Test func reasonsAreInPlainWordsWithDates() throws {
        let records = [
            Hand.record("A", .school, .suspension, "2019-10-10"),
            Hand.record("A", .school, .suspension, "2019-11-20"),
            Hand.record("A", .school, .suspension, "2020-02-01"),
            Hand.record("A", .socialCare, .socialCareReferral, "2017-03-01", detail: "3A"),
        ]
        let builder = CohortBuilder(records: records)
        let c = try #require(builder.builder(asOf: asOf).chronology(for: "A", pseudonym: "P"))
        var contributions = [Double](repeating: 0, count: RiskFeatures.all.count)
        contributions[RiskFeatures.column("school_suspensions_5y")!] = 0.9
        contributions[RiskFeatures.column("ace_domestic_violence")!] = 0.5
        contributions[RiskFeatures.column("police_custody_5y")!] = -0.2
        contributions[RiskFeatures.column("years_since_first_social_care")!] = 0.1
        let (up, down) = builder.reasons(chronology: c, asOf: asOf, contributions: contributions)
        #expect(up.map(\.feature) == ["school_suspensions_5y", "ace_domestic_violence", "years_since_first_social_care"])
        #expect(up[0].text == "suspensions from school: 3 in the last 5 years (Year 7: October 2019, November 2019, February 2020)")
        #expect(up[1].text.contains("domestic abuse in the household"))
        #expect(up[1].text.hasSuffix("first recorded March 2017"))
        #expect(up[2].text == "first known to children's social care in the last 5 years: March 2017, aged 8")
        #expect(down.map(\.text) == ["no arrests recorded in the last 5 years"])
        // A first contact at the very start of the five years looked at probably began before them.
        let early = CohortBuilder(records: [Hand.record("A", .police, .incident, "2016-02-01")])
        let ec = try #require(early.builder(asOf: asOf).chronology(for: "A", pseudonym: "P"))
        var push = [Double](repeating: 0, count: RiskFeatures.all.count)
        push[RiskFeatures.column("years_since_first_police")!] = 0.3
        #expect(early.reasons(chronology: ec, asOf: asOf, contributions: push).raising.first?.text
                == "first police contact in the last 5 years: February 2016, aged 7 (the start of the years looked at: probably earlier)")
    }

    @Test func aHouseholdMembersACEIsNamedAsPractitionersWouldSayIt() throws {
        let records = [
            Hand.record("A", .school, .termAbsence, "2019-01-10", surname: "KHAN"),
            Hand.record("A", .school, .suspension, "2019-06-10", surname: "KHAN"),
            Hand.record("F", .police, .custody, "2019-02-01", role: .suspect, dob: "1980-05-05", surname: "KHAN"),
            Hand.record("F", .prison, .prisonReception, "2019-03-10", role: .offender, dob: "1980-05-05", surname: "KHAN"),
        ]
        let builder = CohortBuilder(records: records)
        let row = try #require(builder.cohort(asOf: asOf).rows.first { $0.personID == "A" })
        #expect(value(row, "ace_household_incarceration") == 1)
        let c = try #require(builder.builder(asOf: asOf).chronology(for: "A", pseudonym: "P"))
        var contributions = [Double](repeating: 0, count: RiskFeatures.all.count)
        contributions[RiskFeatures.column("ace_household_incarceration")!] = 0.4
        #expect(builder.reasons(chronology: c, asOf: asOf, contributions: contributions).raising.map(\.text)
                == ["father imprisoned, first recorded March 2019"])
    }

    @Test func schoolYearsFollowTheEnglishCutOff() {
        let dob = Hand.date("2008-03-15")
        #expect(Hand.date("2019-10-10").schoolYear(dateOfBirth: dob) == 7)
        #expect(Hand.date("2020-10-10").schoolYear(dateOfBirth: dob) == 8)
        #expect(Hand.date("2021-07-10").schoolYear(dateOfBirth: dob) == 8)
        // The youngest of a year are born in August, the oldest in September.
        let august = Hand.date("2008-08-31"), september = Hand.date("2008-09-01")
        #expect(Hand.date("2020-10-10").schoolYear(dateOfBirth: august) == 8)
        #expect(Hand.date("2020-10-10").schoolYear(dateOfBirth: september) == 7)
        #expect(Hand.date("2020-01-31").adding(months: 1) == Hand.date("2020-02-29"))
        #expect(Hand.date("2020-01-31").adding(months: -13) == Hand.date("2018-12-31"))
    }
}
