import Testing
import UpstreamChronology
import UpstreamModel
import UpstreamRisk
import UpstreamTesting
@testable import UpstreamRiskFeatures

/// The features of a date must not see the future: adding events after the date changes nothing but the outcome.
@Suite("No leakage from the future")
struct LeakageTests {
    let city = TruthLinkedCity.small

    @Test func featuresIgnoreEverythingRecordedAfterTheDate() throws {
        let asOf = city.end.adding(months: -48)
        let past = city.records.filter { $0.record.event.map { $0.date < asOf } ?? false }
        let full = CohortBuilder(records: city.records, postcodeDeprivation: city.postcodeDeciles).cohort(asOf: asOf)
        let cut = CohortBuilder(records: past, postcodeDeprivation: city.postcodeDeciles).cohort(asOf: asOf)
        #expect(full.rows.count > 300)
        #expect(full.rows.count == cut.rows.count)
        let cutByPerson = Dictionary(uniqueKeysWithValues: cut.rows.map { ($0.personID, $0) })
        var compared = 0
        for row in full.rows {
            let other = try #require(cutByPerson[row.personID])
            // NaN never equals NaN: compare bit patterns.
            #expect(row.features.map(\.bitPattern) == other.features.map(\.bitPattern), "features of \(row.personID) changed")
            #expect(other.outcome == 0)  // nothing after the date was given
            compared += 1
        }
        #expect(compared == full.rows.count)
        #expect(full.rows.contains { $0.outcome == 1 })
    }

    @Test func aFabricatedFutureLeavesFeaturesUntouched() throws {
        let asOf = city.end.adding(months: -48)
        let base = CohortBuilder(records: city.records, postcodeDeprivation: city.postcodeDeciles).cohort(asOf: asOf)
        // Everyone in the cohort gets a knife robbery, a prison sentence and a social care plan a day after the date.
        var extra = city.records
        for (i, row) in base.rows.prefix(200).enumerated() {
            let template = try #require(city.records.first { $0.personID == row.personID })
            for kind in [EventKind.crime, .childProtectionPlan, .prisonReception] {
                var r = template
                r.record.recordID = "future-\(i)-\(kind.rawValue)"
                r.record.event = Event(kind: kind, date: asOf.adding(days: 1), role: .suspect, offenceCode: "34B", flags: .knife, reference: "F\(i)")
                extra.append(r)
            }
        }
        let after = CohortBuilder(records: extra, postcodeDeprivation: city.postcodeDeciles).cohort(asOf: asOf)
        let afterByPerson = Dictionary(uniqueKeysWithValues: after.rows.map { ($0.personID, $0) })
        for row in base.rows {
            let other = try #require(afterByPerson[row.personID])
            #expect(row.features.map(\.bitPattern) == other.features.map(\.bitPattern))
        }
        #expect(base.rows.prefix(200).allSatisfy { afterByPerson[$0.personID]!.outcome == 1 })
    }

    /// A record dated before the as-of date but entered into the agency's system after it (a crime reported late,
    /// a census return filed after the term) was not known on the day: it must change no feature, no household,
    /// no co-offender count and no area.
    @Test func aRecordDatedBeforeButRecordedAfterTheDateIsNotUsed() throws {
        let asOf = city.end.adding(months: -48)
        let base = CohortBuilder(records: city.records, postcodeDeprivation: city.postcodeDeciles).cohort(asOf: asOf)
        var extra = city.records
        let late = asOf.adding(days: 20)
        let someDecile = try #require(city.postcodeDeciles.first { $0.value != 5 }?.key)
        for (i, row) in base.rows.prefix(200).enumerated() {
            let template = try #require(city.records.first { $0.personID == row.personID })
            for (j, kind) in [EventKind.crime, .childProtectionPlan, .permanentExclusion, .edAttendance, .stopSearch].enumerated() {
                var r = template
                r.record.recordID = "late-\(i)-\(kind.rawValue)"
                r.record.identity.postcode = someDecile
                // A robbery with a knife would be serious violence (that person would be left out once it is known); a
                // common assault is not, so the person stays in the cohort after the record is known.
                r.record.event = Event(kind: kind, date: asOf.adding(days: -30 - j), role: .suspect, offenceCode: i % 2 == 0 ? "34B" : "105A",
                                       flags: i % 2 == 0 ? .knife : [], reference: "L\(i / 2)", recordedDate: late)
                extra.append(r)
            }
        }
        let after = CohortBuilder(records: extra, postcodeDeprivation: city.postcodeDeciles).cohort(asOf: asOf)
        #expect(after.rows.count == base.rows.count)
        let afterByPerson = Dictionary(uniqueKeysWithValues: after.rows.map { ($0.personID, $0) })
        for row in base.rows {
            let other = try #require(afterByPerson[row.personID])
            #expect(row.features.map(\.bitPattern) == other.features.map(\.bitPattern), "features of \(row.personID) used a late record")
            #expect(row.deprivationDecile == other.deprivationDecile)
        }
        // Once the records are known (the day after they were entered) they count.
        let later = CohortBuilder(records: extra, postcodeDeprivation: city.postcodeDeciles).cohort(asOf: late.adding(days: 1))
        let laterBase = CohortBuilder(records: city.records, postcodeDeprivation: city.postcodeDeciles).cohort(asOf: late.adding(days: 1))
        let laterBaseByPerson = Dictionary(uniqueKeysWithValues: laterBase.rows.map { ($0.personID, $0) })
        let suspectCol = try #require(RiskFeatures.column("police_suspect_12m"))
        let changed = later.rows.filter { r in laterBaseByPerson[r.personID].map { $0.features[suspectCol] != r.features[suspectCol] } ?? false }
        #expect(changed.count >= 90)
        // The knife robberies, once known, leave their young people out as "serious violence already recorded".
        #expect(later.excluded["serious violence already recorded", default: 0] >= laterBase.excluded["serious violence already recorded", default: 0] + 90)
    }
}
