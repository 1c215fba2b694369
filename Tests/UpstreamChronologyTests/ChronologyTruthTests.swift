import Foundation
import Testing
import UpstreamChronology
import UpstreamIngest
import UpstreamModel
import UpstreamStore
import UpstreamSynth
import UpstreamTesting

@Suite("Chronology against the synthetic truth")
struct ChronologyTruthTests {
    let city = TruthLinkedCity.small
    var builder: ChronologyBuilder { ChronologyBuilder(records: city.records) }

    /// Children with several agencies' records, in a fixed order.
    var sample: [String] {
        var agencies: [String: Set<Agency>] = [:]
        for r in city.records { agencies[r.personID, default: []].insert(r.record.agency) }
        return agencies.filter { $0.value.count >= 3 && city.outcomes[$0.key]?["ace_count"]?.isEmpty == false }.keys.sorted()
    }

    @Test("events are in time order, with the person's age at each")
    func orderAndAges() throws {
        let b = builder
        var dobRight = 0, checked = 0
        for id in sample.prefix(150) {
            let c = try #require(b.chronology(for: id, pseudonym: "x"))
            #expect(zip(c.entries, c.entries.dropFirst()).allSatisfy { $0.date <= $1.date })
            let truth = CivilDate.parse(city.people[id]!["date_of_birth"]!, layout: .iso)!
            checked += 1
            if c.dateOfBirth == truth { dobRight += 1 }
            for e in c.entries { #expect(e.age == c.dateOfBirth.map { $0.age(on: e.date) }) }
        }
        #expect(checked >= 100)
        #expect(Double(dobRight) / Double(checked) > 0.95, "date of birth right for \(dobRight) of \(checked)")
    }

    @Test("recorded ACEs are true ACEs, first recorded no earlier than they began")
    func acesAgainstTruth() throws {
        let b = builder
        var findings = 0, trueOnes = 0, notBefore = 0
        for id in sample {
            guard let c = b.chronology(for: id, pseudonym: "x") else { continue }
            for f in c.aces {
                findings += 1
                if let onset = city.aces[id]?[f.ace] {
                    trueOnes += 1
                    if f.firstRecorded >= onset.adding(days: -1) { notBefore += 1 }
                }
            }
        }
        #expect(findings > 200, "only \(findings) ACE findings")
        #expect(Double(trueOnes) / Double(findings) > 0.85, "\(trueOnes) of \(findings) recorded ACEs are in the truth")
        #expect(Double(notBefore) / Double(max(trueOnes, 1)) > 0.9, "\(notBefore) of \(trueOnes) recorded on or after onset")
    }

    @Test("the household's parents and siblings are found")
    func household() throws {
        let b = builder
        var truthFamily: [String: Set<String>] = [:]
        for (p, q, rel) in city.relationships where ["mother", "father", "step_father", "sibling", "twin"].contains(rel) {
            truthFamily[p, default: []].insert(q)
        }
        var inferred = 0, right = 0
        for id in sample.prefix(300) {
            guard let c = b.chronology(for: id, pseudonym: "x") else { continue }
            for m in c.household {
                inferred += 1
                if truthFamily[id]?.contains(m.personID) == true { right += 1 }
            }
        }
        #expect(inferred > 100)
        #expect(Double(right) / Double(inferred) > 0.8, "\(right) of \(inferred) inferred household members are family")
    }

    @Test("the first serious violence is marked, and counts before 10, 12 and 14 add up")
    func seriousViolenceAndCounts() throws {
        let b = builder
        var marked = 0
        for (id, o) in city.outcomes where !(o["first_serious_violence_offender"] ?? "").isEmpty {
            guard let c = b.chronology(for: id, pseudonym: "x") else { continue }
            if let sv = c.firstSeriousViolence {
                marked += 1
                let truth = CivilDate.parse(o["first_serious_violence_offender"]!, layout: .iso)!
                #expect(sv.date >= truth, "recorded serious violence before the true first one")
            }
            let by10 = c.contactsBefore["10"]!.values.reduce(0, +), by14 = c.contactsBefore["14"]!.values.reduce(0, +)
            #expect(by10 <= by14)
        }
        #expect(marked > 5)
    }
}
