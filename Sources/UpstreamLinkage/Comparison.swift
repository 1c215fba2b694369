import UpstreamModel

/// A comparison vector packed into 64 bits: four bits per comparison, in settings order; 0 is "null".
public struct Gamma: Hashable, Sendable, Codable {
    public var bits: UInt64
    public init(bits: UInt64 = 0) { self.bits = bits }
    public func level(_ i: Int) -> Int { Int((bits >> (UInt64(i) * 4)) & 0xF) }
    public mutating func set(_ i: Int, _ level: Int) { bits |= UInt64(level) << (UInt64(i) * 4) }
}

/// Computes comparison levels between two nodes of a `PreparedData`.
public struct Comparer: Sendable {
    public let data: PreparedData
    public let kinds: [ComparisonKind]

    public init(data: PreparedData, kinds: [ComparisonKind]) { self.data = data; self.kinds = kinds }

    @inline(__always) func jw(_ a: Int32, _ b: Int32) -> Double {
        data.strings[Int(a)].withUnsafeBufferPointer { pa in
            data.strings[Int(b)].withUnsafeBufferPointer { pb in Comparators.jaroWinkler(pa, pb) }
        }
    }

    @inline(__always) func isInitial(_ a: Int32) -> Bool { data.strings[Int(a)].count == 1 }
    @inline(__always) func firstByte(_ a: Int32) -> UInt8 { data.strings[Int(a)][0] }

    func namesSwapped(_ a: Int, _ b: Int) -> Bool {
        let fa = data.forename[a], sa = data.surname[a], fb = data.forename[b], sb = data.surname[b]
        guard fa >= 0, sa >= 0, fb >= 0, sb >= 0, fa != fb else { return false }
        if fa == sb && sa == fb { return true }
        if isInitial(fa) || isInitial(fb) || isInitial(sa) || isInitial(sb) { return false }
        return jw(fa, sb) >= 0.92 && jw(sa, fb) >= 0.92
    }

    /// The comparison vector of nodes `a` and `b`.
    public func gamma(_ a: Int, _ b: Int) -> Gamma {
        var g = Gamma()
        var swapped: Bool? = nil
        func isSwapped() -> Bool {
            if let swapped { return swapped }
            let s = namesSwapped(a, b); swapped = s; return s
        }
        for (i, kind) in kinds.enumerated() {
            let level: Int
            switch kind {
            case .forename: level = forenameLevel(a, b, swapped: isSwapped)
            case .surname: level = isSwapped() ? 0 : surnameLevel(a, b)
            case .dob: level = Comparer.dobLevel(data.dob[a], data.dob[b])
            case .sex:
                let x = data.sex[a], y = data.sex[b]
                level = x == 0 || y == 0 ? 0 : (x == y ? 1 : 2)
            case .postcode:
                let x = data.postcodeUnit[a], y = data.postcodeUnit[b]
                if x < 0 || y < 0 { level = 0 }
                else if x == y { level = 1 }
                else if data.postcodeSector[a] == data.postcodeSector[b] { level = 2 }
                else if data.postcodeDistrict[a] == data.postcodeDistrict[b] { level = 3 }
                else { level = 4 }
            case .nhs: level = Comparer.identifier(data.nhs[a], data.nhs[b])
            case .upn: level = Comparer.identifier(data.upn[a], data.upn[b])
            case .pnc:
                let x = data.pnc[a], y = data.pnc[b]
                level = x < 0 || y < 0 ? 0 : x == y ? 1 : data.pncSerial[a] == data.pncSerial[b] ? 2 : 3
            case .localID:
                level = data.localSource[a] < 0 || data.localSource[a] != data.localSource[b] ? 0 : Comparer.identifier(data.localID[a], data.localID[b])
            }
            g.set(i, level)
        }
        return g
    }

    @inline(__always) static func identifier(_ x: Int32, _ y: Int32) -> Int { x < 0 || y < 0 ? 0 : (x == y ? 1 : 2) }

    func forenameLevel(_ a: Int, _ b: Int, swapped: () -> Bool) -> Int {
        let x = data.forename[a], y = data.forename[b]
        guard x >= 0, y >= 0 else { return 0 }
        if x == y { return 1 }
        if isInitial(x) || isInitial(y) { return firstByte(x) == firstByte(y) ? 6 : 7 }
        if swapped() { return 5 }
        if data.forenameCanonical[a] == data.forenameCanonical[b] { return 2 }
        if data.middles(b).contains(x) || data.middles(a).contains(y) { return 2 }
        let s = jw(x, y)
        if s >= 0.92 { return 3 }
        if s >= 0.80 { return 4 }
        // "Initial only agrees" is kept for initial-only names: for two full names a shared first letter is
        // no evidence, and mixing the two would give the level a u of full names and an m of initials.
        return 7
    }

    func surnameLevel(_ a: Int, _ b: Int) -> Int {
        let x = data.surname[a], y = data.surname[b]
        guard x >= 0, y >= 0 else { return 0 }
        if x == y { return 1 }
        if isInitial(x) || isInitial(y) { return firstByte(x) == firstByte(y) ? 6 : 7 }
        let s = jw(x, y)
        if s >= 0.92 { return 2 }
        let sx = data.strings[Int(x)], sy = data.strings[Int(y)]
        if abs(sx.count - sy.count) <= 1, Comparators.damerauLevenshtein(sx, sy) <= 1 { return 2 }
        if data.surnamePhonetic[a] == data.surnamePhonetic[b] { return 3 }
        if sharesToken(a, b) { return 4 }
        if s >= 0.80 { return 5 }
        return 7
    }

    func sharesToken(_ a: Int, _ b: Int) -> Bool {
        let ta = [data.surnameFirstToken[a], data.surnameLastToken[a]], tb = [data.surnameFirstToken[b], data.surnameLastToken[b]]
        let sa = data.surname[a], sb = data.surname[b]
        for t in ta where t >= 0 && (t == sb || tb.contains(t)) { return true }
        for t in tb where t >= 0 && t == sa { return true }
        return false
    }

    /// Date of birth levels: exact, day-month swap, one digit or one day off, year off by one, else.
    public static func dobLevel(_ x: Int32, _ y: Int32) -> Int {
        if x == PreparedData.missingDate || y == PreparedData.missingDate { return 0 }
        if x == y { return 1 }
        if abs(Int(x) - Int(y)) == 1 { return 3 }
        let a = CivilDate(dayNumber: x).components, b = CivilDate(dayNumber: y).components
        if a.year == b.year && a.month == b.day && a.day == b.month { return 2 }
        let da = digits(a), db = digits(b)
        var diff = 0
        for i in 0..<8 where da[i] != db[i] { diff += 1 }
        if diff == 1 { return 3 }
        if diff == 2 {
            for i in 0..<7 where da[i] != db[i] {
                if da[i] == db[i + 1] && da[i + 1] == db[i] { return 3 }
                break
            }
        }
        if abs(a.year - b.year) == 1 && a.month == b.month && abs(a.day - b.day) <= 3 { return 4 }
        return 5
    }

    static func digits(_ c: (year: Int, month: Int, day: Int)) -> [Int] {
        [c.year / 1000 % 10, c.year / 100 % 10, c.year / 10 % 10, c.year % 10, c.month / 10, c.month % 10, c.day / 10, c.day % 10]
    }
}
