import UpstreamLinkage
import UpstreamModel

enum CivilDateFixture {
    static func day(_ y: Int, _ m: Int, _ d: Int) -> Int32 { CivilDate(year: y, month: m, day: d)!.dayNumber }
    static func date(_ y: Int, _ m: Int, _ d: Int) -> CivilDate { CivilDate(year: y, month: m, day: d)! }
}

/// Small hand-made populations for the engine's tests.
enum People {
    static func input(_ source: String, _ id: String, _ fore: String?, _ sur: String?, _ dob: CivilDate?, sex: Sex? = nil,
                      postcode: String? = nil, nhs: String? = nil) -> LinkInput {
        LinkInput(source: source, recordID: id, forename: fore, surname: sur, dateOfBirth: dob, sex: sex, postcode: postcode, nhsNumber: nhs)
    }

    /// A few hundred people, each with several noisy records, plus the truth.
    static func population(people: Int, seed: UInt64) -> (inputs: [LinkInput], truth: [RecordKey: String]) {
        var rng = SplitMix64(seed: seed)
        let fores = ["OLIVIA", "JACK", "AMELIA", "MOHAMMED", "HARRY", "ISLA", "NOAH", "AVA", "LEO", "GRACE", "OSCAR", "FREYA", "ARCHIE", "EVIE", "ALFIE"]
        let surs = ["SMITH", "JONES", "KHAN", "PATEL", "TAYLOR", "BROWN", "WILLIAMS", "WILSON", "OKAFOR", "NOWAK", "MURPHY", "HUGHES", "EDWARDS", "GREEN", "HALL", "WOOD", "CLARKE", "TURNER"]
        var inputs: [LinkInput] = []
        var truth: [RecordKey: String] = [:]
        for p in 0..<people {
            let f = fores[rng.below(fores.count)], s = surs[rng.below(surs.count)]
            let dob = CivilDate(dayNumber: Int32(10_000 + rng.below(9_000)))
            let pc = "UC\(1 + rng.below(9)) \(rng.below(10))\(["A", "B", "D", "E"][rng.below(4)])\(["F", "G", "H", "J"][rng.below(4)])"
            let sex: Sex = rng.below(2) == 0 ? .male : .female
            for r in 0..<(2 + rng.below(4)) {
                var ff = f, ss = s, dd: CivilDate? = dob, pp: String? = pc
                switch rng.below(10) {
                case 0: ff = String(ff.dropLast())  // typo
                case 1: ss = ss.prefix(2) + String(ss.dropFirst(2).reversed())
                case 2: dd = nil
                case 3: pp = nil
                case 4: dd = dob.adding(days: 1)
                default: break
                }
                let key = RecordKey(source: ["a", "b", "c"][r % 3], recordID: "\(p)-\(r)")
                inputs.append(input(key.source, key.recordID, ff, ss, dd, sex: sex, postcode: pp))
                truth[key] = "T\(p)"
            }
        }
        return (inputs, truth)
    }
}
