import Foundation
import UpstreamChronology
import UpstreamModel
import UpstreamRisk

/// A dated fact behind a feature's value, kept so a reason can be given in plain words with dates.
public struct Evidence: Sendable, Hashable {
    public var date: CivilDate
    public var text: String
}

extension CohortBuilder {
    /// The feature values of one young person as of a date, from a chronology built of records before that date,
    /// and, when `evidence` is set, the dated facts behind each value.
    public func computeFeatures(chronology c: Chronology, asOf: CivilDate, evidence: Bool) -> (values: [Float], evidence: [[Evidence]]) {
        let defs = RiskFeatures.all
        var values = [Float](repeating: 0, count: defs.count)
        var facts = [[Evidence]](repeating: [], count: evidence ? defs.count : 0)
        let yearAgo = asOf.adding(months: -12)
        func col(_ name: String) -> Int { RiskFeatures.column(name)! }
        func add(_ name: String, _ e: ChronologyEntry, _ what: String? = nil) {
            let i = col(name)
            values[i] += 1
            if evidence { facts[i].append(Evidence(date: e.date, text: what ?? e.summary)) }
        }
        func addCounted(_ key: String, _ e: ChronologyEntry) {
            let (recent, lookback) = RiskFeatures.countedColumns[key]!  // no new strings per event
            values[lookback] += 1
            if evidence { facts[lookback].append(Evidence(date: e.date, text: e.summary)) }
            if e.date >= yearAgo {
                values[recent] += 1
                if evidence { facts[recent].append(Evidence(date: e.date, text: e.summary)) }
            }
        }
        var firstSeen: [String: CivilDate] = [:]
        func first(_ name: String, _ e: ChronologyEntry) {
            if firstSeen[name] == nil { firstSeen[name] = e.date }
        }
        let windowStart = asOf.adding(months: -RiskFeatures.lookbackMonths)
        var lastPolice: CivilDate?, lastAny: CivilDate?
        var crimeRefs: Set<String> = []
        var possible = 0, authorised = 0, unauthorised = 0
        var fsm: CivilDate?
        for e in c.entries where e.date < asOf && e.date >= windowStart {
            let suspect = e.role == .suspect || e.role == .offender
            if e.kind != .termAbsence { lastAny = e.date }
            switch e.kind {
            case .crime:
                let group = e.offenceCode.map(OffenceGroup.init(code:)) ?? .other
                let flags = CrimeFlags(code: e.flags) ?? []
                if e.role == .victim {
                    addCounted("police_victim", e)
                    if group == .violence || group == .robbery { add("police_violence_victim_5y", e) }
                    if flags.contains(.childSexualExploitation) { values[col("police_cse_victim")] = 1; if evidence { facts[col("police_cse_victim")].append(Evidence(date: e.date, text: e.summary)) } }
                } else if suspect {
                    addCounted("police_suspect", e)
                    first("years_since_first_police_suspect", e)
                    if group == .violence || group == .robbery { add("police_violence_suspect_5y", e) }
                    if group == .weapons || flags.contains(.knife) || flags.contains(.firearm) { add("police_weapon_suspect_5y", e) }
                    if group == .drugs { add("police_drugs_suspect_5y", e) }
                    if let ref = crimeOf[e.source + "/" + e.recordID] {
                        crimeRefs.insert(ref)
                        if evidence, (suspectsOf[ref]?.filter { $0.value < asOf }.count ?? 0) > 1 { facts[col("co_offenders_5y")].append(Evidence(date: e.date, text: "a crime with co-suspects")) }
                    }
                }
                if flags.contains(.gang) { values[col("police_gang_flag")] = 1; if evidence { facts[col("police_gang_flag")].append(Evidence(date: e.date, text: e.summary)) } }
            case .incident:
                if e.role == .householdMember, (e.detail ?? "").uppercased().contains("DOMESTIC") {
                    add("police_domestic_incident_present_5y", e, "present at a domestic incident")
                } else {
                    addCounted("police_incident", e)
                }
            case .custody: addCounted("police_custody", e)
            case .stopSearch: addCounted("police_stop_search", e)
            case .missingPersonReport: addCounted("police_missing", e)
            case .suspension: addCounted("school_suspensions", e); first("years_since_first_school_exclusion", e)
            case .permanentExclusion:
                values[col("school_permanent_exclusion")] = 1; first("years_since_first_school_exclusion", e)
                if evidence { facts[col("school_permanent_exclusion")].append(Evidence(date: e.date, text: "permanently excluded")) }
            case .alternativeProvision:
                values[col("school_alternative_provision")] = 1
                if evidence { facts[col("school_alternative_provision")].append(Evidence(date: e.date, text: "placed in alternative provision")) }
            case .termAbsence:
                if let s = sessions[e.source + "/" + e.recordID] {
                    if e.date >= yearAgo { possible += s.0; authorised += s.1; unauthorised += s.2 }
                    if s.3 { fsm = e.date }
                }
            case .edAttendance:
                addCounted("ed_attendances", e); first("years_since_first_ed", e)
                if (e.detail ?? "").uppercased().contains("ASSAULT") { add("ed_assault_5y", e, "attended the emergency department after an assault") }
            case .socialCareContact: addCounted("social_care_contacts", e); first("years_since_first_social_care", e)
            case .socialCareReferral: addCounted("social_care_referrals", e); first("years_since_first_social_care", e)
            case .socialCareAssessment: first("years_since_first_social_care", e)
            case .childInNeedPlan:
                values[col("child_in_need_plan")] = 1; first("years_since_first_social_care", e)
                if evidence { facts[col("child_in_need_plan")].append(Evidence(date: e.date, text: "child in need plan")) }
            case .childProtectionPlan:
                values[col("child_protection_plan")] = 1; first("years_since_first_social_care", e)
                if evidence { facts[col("child_protection_plan")].append(Evidence(date: e.date, text: "child protection plan" + (e.detail.map { " (\($0.lowercased()))" } ?? ""))) }
            case .lookedAfter:
                values[col("looked_after")] = 1; first("years_since_first_social_care", e)
                if evidence { facts[col("looked_after")].append(Evidence(date: e.date, text: "looked after")) }
            case .missingEpisode: addCounted("missing_episodes", e)
            case .youthJusticeDisposal: addCounted("youth_justice", e); first("years_since_first_youth_justice", e)
            case .substanceMisuseTreatment: add("substance_misuse_5y", e)
            case .mentalHealthTreatment: add("mental_health_5y", e)
            case .probationSupervision, .prisonReception: break
            }
            if e.agency == .police { lastPolice = e.date; first("years_since_first_police", e) }
        }
        // School attendance over the last year.
        if possible > 0 {
            values[col("school_absence_rate_12m")] = Float(authorised + unauthorised) / Float(possible)
            values[col("school_unauthorised_rate_12m")] = Float(unauthorised) / Float(possible)
        } else {
            values[col("school_absence_rate_12m")] = .nan
            values[col("school_unauthorised_rate_12m")] = .nan
        }
        if let d = fsm {
            values[col("free_school_meals")] = 1
            if evidence { facts[col("free_school_meals")].append(Evidence(date: d, text: "free school meals recorded")) }
        }
        // Ages at first contact, recency.
        for def in RiskFeatures.all where def.kind == .yearsSinceFirst {
            if let d = firstSeen[def.name] {
                values[col(def.name)] = Float(asOf.dayNumber - d.dayNumber) / 365.25
                if evidence { facts[col(def.name)].append(Evidence(date: d, text: def.title)) }
            } else {
                values[col(def.name)] = .nan
            }
        }
        values[col("days_since_police")] = lastPolice.map { Float(asOf.dayNumber - $0.dayNumber) } ?? .nan
        values[col("days_since_any_contact")] = lastAny.map { Float(asOf.dayNumber - $0.dayNumber) } ?? .nan
        if evidence, let d = lastPolice { facts[col("days_since_police")].append(Evidence(date: d, text: "last police contact")) }
        if evidence, let d = lastAny { facts[col("days_since_any_contact")].append(Evidence(date: d, text: "last contact")) }
        // Co-offending with people already known for serious violence.
        var coOffenders: Set<String> = []
        // A co-suspect counts once the police had recorded them as one, before the date.
        for ref in crimeRefs { for (p, known) in suspectsOf[ref] ?? [:] where known < asOf { coOffenders.insert(p) } }
        coOffenders.remove(c.personID)
        values[col("co_offenders_5y")] = Float(coOffenders.count)
        let violent = coOffenders.filter { (seriousViolenceKnown[$0]?.first).map { $0 < asOf } ?? false }
        values[col("co_offenders_serious_violence")] = Float(violent.count)
        if evidence {
            for p in violent.sorted() {
                if let d = seriousViolenceKnown[p]?.first { facts[col("co_offenders_serious_violence")].append(Evidence(date: d, text: "a co-suspect's serious violence")) }
            }
        }
        // ACEs recorded so far (own records and the household's).
        for a in c.aces where a.firstRecorded < asOf && a.firstRecorded >= windowStart {
            values[col("ace_" + a.ace.rawValue)] = 1
            values[col("ace_count")] += 1
            if evidence {
                let event = c.householdEvents.first { $0.ace == a.ace && $0.date == a.firstRecorded }
                let text: String
                if let e = event, let id = e.memberID, let member = c.household.first(where: { $0.personID == id }) {
                    // "father imprisoned", "mother in substance misuse treatment"
                    let what = e.description.hasPrefix("parent ") ? String(e.description.dropFirst(7)) : e.description
                    text = CohortBuilder.word(for: member) + " " + what
                } else {
                    text = a.ace.title + " (" + (event?.description ?? a.agency.title) + ")"
                }
                facts[col("ace_" + a.ace.rawValue)].append(Evidence(date: a.firstRecorded, text: text))
                facts[col("ace_count")].append(Evidence(date: a.firstRecorded, text: a.ace.title))
            }
        }
        // Age and area.
        values[col("age")] = c.dateOfBirth.map { Float(asOf.dayNumber - $0.dayNumber) / 365.25 } ?? .nan
        values[col("deprivation_decile")] = deprivationDecile(of: c.personID, before: asOf).map(Float.init) ?? .nan
        return (values, facts)
    }

    /// How a practitioner would name a household member: "father", "mother", "step-parent or carer", "brother".
    static func word(for m: HouseholdMember) -> String {
        switch (m.relationship, m.sex) {
        case (.parent, .male?): "father"
        case (.parent, .female?): "mother"
        case (.parent, nil): "parent"
        case (.stepParentOrCarer, .male?): "stepfather or carer"
        case (.stepParentOrCarer, .female?): "stepmother or carer"
        case (.stepParentOrCarer, nil): "step-parent or carer"
        case (.sibling, .male?): "brother"
        case (.sibling, .female?): "sister"
        case (.sibling, nil): "sibling"
        }
    }
}
