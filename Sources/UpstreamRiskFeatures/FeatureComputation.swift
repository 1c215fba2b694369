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
        func col(_ feature: RiskFeature) -> Int { feature.column }
        func add(_ feature: RiskFeature, _ e: ChronologyEntry, _ what: String? = nil) {
            let i = col(feature)
            values[i] += 1
            if evidence { facts[i].append(Evidence(date: e.date, text: what ?? e.summary)) }
        }
        func addCounted(_ kind: CountedEvent, _ e: ChronologyEntry) {
            let recent = RiskFeature.recent(kind).column, lookback = RiskFeature.lookback(kind).column
            values[lookback] += 1
            if evidence { facts[lookback].append(Evidence(date: e.date, text: e.summary)) }
            if e.date >= yearAgo {
                values[recent] += 1
                if evidence { facts[recent].append(Evidence(date: e.date, text: e.summary)) }
            }
        }
        var firstSeen: [FirstContact: CivilDate] = [:]
        func first(_ kind: FirstContact, _ e: ChronologyEntry) {
            if firstSeen[kind] == nil { firstSeen[kind] = e.date }
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
                    addCounted(.policeVictim, e)
                    if group == .violence || group == .robbery { add(.policeViolenceVictim, e) }
                    if flags.contains(.childSexualExploitation) { values[col(.policeCSEVictim)] = 1; if evidence { facts[col(.policeCSEVictim)].append(Evidence(date: e.date, text: e.summary)) } }
                } else if suspect {
                    addCounted(.policeSuspect, e)
                    first(.policeSuspect, e)
                    if group == .violence || group == .robbery { add(.policeViolenceSuspect, e) }
                    if group == .weapons || flags.contains(.knife) || flags.contains(.firearm) { add(.policeWeaponSuspect, e) }
                    if group == .drugs { add(.policeDrugsSuspect, e) }
                    if let ref = crimeOf[e.source + "/" + e.recordID] {
                        crimeRefs.insert(ref)
                        if evidence, (suspectsOf[ref]?.filter { $0.value < asOf }.count ?? 0) > 1 { facts[col(.coOffenders)].append(Evidence(date: e.date, text: "a crime with co-suspects")) }
                    }
                }
                if flags.contains(.gang) { values[col(.policeGangFlag)] = 1; if evidence { facts[col(.policeGangFlag)].append(Evidence(date: e.date, text: e.summary)) } }
            case .incident:
                if e.role == .householdMember, (e.detail ?? "").uppercased().contains("DOMESTIC") {
                    add(.policeDomesticIncidentPresent, e, "present at a domestic incident")
                } else {
                    addCounted(.policeIncident, e)
                }
            case .custody: addCounted(.policeCustody, e)
            case .stopSearch: addCounted(.policeStopSearch, e)
            case .missingPersonReport: addCounted(.policeMissing, e)
            case .suspension: addCounted(.schoolSuspensions, e); first(.schoolExclusion, e)
            case .permanentExclusion:
                values[col(.schoolPermanentExclusion)] = 1; first(.schoolExclusion, e)
                if evidence { facts[col(.schoolPermanentExclusion)].append(Evidence(date: e.date, text: "permanently excluded")) }
            case .alternativeProvision:
                values[col(.schoolAlternativeProvision)] = 1
                if evidence { facts[col(.schoolAlternativeProvision)].append(Evidence(date: e.date, text: "placed in alternative provision")) }
            case .termAbsence:
                if let s = sessions[e.source + "/" + e.recordID] {
                    if e.date >= yearAgo { possible += s.0; authorised += s.1; unauthorised += s.2 }
                    if s.3 { fsm = e.date }
                }
            case .edAttendance:
                addCounted(.edAttendances, e); first(.emergencyDepartment, e)
                if (e.detail ?? "").uppercased().contains("ASSAULT") { add(.edAssault, e, "attended the emergency department after an assault") }
            case .socialCareContact: addCounted(.socialCareContacts, e); first(.socialCare, e)
            case .socialCareReferral: addCounted(.socialCareReferrals, e); first(.socialCare, e)
            case .socialCareAssessment: first(.socialCare, e)
            case .childInNeedPlan:
                values[col(.childInNeedPlan)] = 1; first(.socialCare, e)
                if evidence { facts[col(.childInNeedPlan)].append(Evidence(date: e.date, text: "child in need plan")) }
            case .childProtectionPlan:
                values[col(.childProtectionPlan)] = 1; first(.socialCare, e)
                if evidence { facts[col(.childProtectionPlan)].append(Evidence(date: e.date, text: "child protection plan" + (e.detail.map { " (\($0.lowercased()))" } ?? ""))) }
            case .lookedAfter:
                values[col(.lookedAfter)] = 1; first(.socialCare, e)
                if evidence { facts[col(.lookedAfter)].append(Evidence(date: e.date, text: "looked after")) }
            case .missingEpisode: addCounted(.missingEpisodes, e)
            case .youthJusticeDisposal: addCounted(.youthJustice, e); first(.youthJustice, e)
            case .substanceMisuseTreatment: add(.substanceMisuse, e)
            case .mentalHealthTreatment: add(.mentalHealth, e)
            case .probationSupervision, .prisonReception: break
            }
            if e.agency == .police { lastPolice = e.date; first(.police, e) }
        }
        // School attendance over the last year.
        if possible > 0 {
            values[col(.schoolAbsenceRate)] = Float(authorised + unauthorised) / Float(possible)
            values[col(.schoolUnauthorisedRate)] = Float(unauthorised) / Float(possible)
        } else {
            values[col(.schoolAbsenceRate)] = .nan
            values[col(.schoolUnauthorisedRate)] = .nan
        }
        if let d = fsm {
            values[col(.freeSchoolMeals)] = 1
            if evidence { facts[col(.freeSchoolMeals)].append(Evidence(date: d, text: "free school meals recorded")) }
        }
        // Ages at first contact, recency.
        for kind in FirstContact.allCases {
            let feature = RiskFeature.yearsSinceFirst(kind), i = feature.column
            if let d = firstSeen[kind] {
                values[i] = Float(asOf.dayNumber - d.dayNumber) / 365.25
                if evidence { facts[i].append(Evidence(date: d, text: feature.definition.title)) }
            } else {
                values[i] = .nan
            }
        }
        values[col(.daysSincePolice)] = lastPolice.map { Float(asOf.dayNumber - $0.dayNumber) } ?? .nan
        values[col(.daysSinceAnyContact)] = lastAny.map { Float(asOf.dayNumber - $0.dayNumber) } ?? .nan
        if evidence, let d = lastPolice { facts[col(.daysSincePolice)].append(Evidence(date: d, text: "last police contact")) }
        if evidence, let d = lastAny { facts[col(.daysSinceAnyContact)].append(Evidence(date: d, text: "last contact")) }
        // Co-offending with people already known for serious violence.
        var coOffenders: Set<String> = []
        // A co-suspect counts once the police had recorded them as one, before the date.
        for ref in crimeRefs { for (p, known) in suspectsOf[ref] ?? [:] where known < asOf { coOffenders.insert(p) } }
        coOffenders.remove(c.personID)
        values[col(.coOffenders)] = Float(coOffenders.count)
        let violent = coOffenders.filter { (seriousViolenceKnown[$0]?.first).map { $0 < asOf } ?? false }
        values[col(.coOffendersSeriousViolence)] = Float(violent.count)
        if evidence {
            for p in violent.sorted() {
                if let d = seriousViolenceKnown[p]?.first { facts[col(.coOffendersSeriousViolence)].append(Evidence(date: d, text: "a co-suspect's serious violence")) }
            }
        }
        // ACEs recorded so far (own records and the household's).
        for a in c.aces where a.firstRecorded < asOf && a.firstRecorded >= windowStart {
            values[col(.ace(a.ace))] = 1
            values[col(.aceCount)] += 1
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
                facts[col(.ace(a.ace))].append(Evidence(date: a.firstRecorded, text: text))
                facts[col(.aceCount)].append(Evidence(date: a.firstRecorded, text: a.ace.title))
            }
        }
        // Age and area.
        values[col(.age)] = c.dateOfBirth.map { Float(asOf.dayNumber - $0.dayNumber) / 365.25 } ?? .nan
        values[col(.deprivationDecile)] = deprivationDecile(of: c.personID, before: asOf).map(Float.init) ?? .nan
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
