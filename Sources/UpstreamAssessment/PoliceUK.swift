import Foundation
import UpstreamModel

/// The kinds of file data.police.uk publishes, recognised by their header lines.
public enum PoliceUKFileKind: String, Codable, Sendable {
    case street, outcomes, stopAndSearch = "stop_and_search"

    /// The kind a header names, or `nil`.
    public static func recognise(_ header: [String]) -> PoliceUKFileKind? {
        let h = Set(header)
        if h.contains("Crime type") && h.contains("Month") { return .street }
        if h.contains("Outcome type") && h.contains("Month") { return .outcomes }
        if h.contains("Object of search") || (h.contains("Legislation") && h.contains("Date")) { return .stopAndSearch }
        return nil
    }
}

/// Reads one police.uk file, streamed through UpstreamModel's `CSVReader`, into a `PoliceUKTally` (shared by every
/// file of a run).
/// Every data row is counted; a row that cannot be used is counted under its reason.
public struct PoliceUKReader: Sendable {
    public let file: String
    private var kind: PoliceUKFileKind?
    private var header: [String] = []
    private var columns: [String: Int] = [:]
    private var fileIndex = -1
    // Column positions (street files).
    private var cMonth = -1, cType = -1, cID = -1, cLon = -1, cLat = -1, cLSOA = -1, cLSOAName = -1, cFalls = -1
    private var cOutcome = -1, cDate = -1, cObject = -1, cSearchOutcome = -1

    public init(file: String) { self.file = file }

    /// Reads the whole file from `stream` (a file on disk, or bytes in memory) into `tally`.
    /// - Throws: ``AssessmentError`` when the file is empty or its header is not a police.uk one; the stream's own
    ///   error when it cannot be read.
    public mutating func read<S: ByteStream>(_ stream: S, into tally: inout PoliceUKTally) throws {
        var reader = CSVReader(stream)
        while try reader.next() { try take(reader.row, into: &tally) }
        if kind == nil { throw AssessmentError.emptyFile(file) }
        tally.files[fileIndex].blankLines = reader.blankLines
    }

    private mutating func take(_ row: CSVRow, into tally: inout PoliceUKTally) throws {
        guard kind != nil else { try readHeader(row, into: &tally); return }
        tally.files[fileIndex].rows += 1
        switch kind! {
        case .street: tally.street(row, headerCount: header.count, month: cMonth, type: cType, id: cID, lon: cLon, lat: cLat,
                                   lsoa: cLSOA, lsoaName: cLSOAName, falls: cFalls, file: fileIndex)
        case .outcomes: tally.outcome(row, headerCount: header.count, month: cMonth, outcome: cOutcome, file: fileIndex)
        case .stopAndSearch: tally.search(row, headerCount: header.count, date: cDate, object: cObject, outcome: cSearchOutcome, file: fileIndex)
        }
    }

    private mutating func readHeader(_ row: CSVRow, into tally: inout PoliceUKTally) throws {
        header = (0..<row.count).map { row.string($0).trimmingCharacters(in: .whitespaces) }
        guard let k = PoliceUKFileKind.recognise(header) else { throw AssessmentError.unrecognisedHeader(file: file, columns: header) }
        kind = k
        for (i, h) in header.enumerated() where columns[h] == nil { columns[h] = i }
        func col(_ name: String, required: Bool = false) throws -> Int {
            if let i = columns[name] { return i }
            if required { throw AssessmentError.missingColumn(file: file, column: name) }
            return -1
        }
        switch k {
        case .street:
            cMonth = try col("Month", required: true); cType = try col("Crime type", required: true)
            cID = try col("Crime ID"); cLon = try col("Longitude"); cLat = try col("Latitude"); cLSOA = try col("LSOA code")
            cLSOAName = try col("LSOA name"); cFalls = try col("Falls within")
        case .outcomes:
            cMonth = try col("Month", required: true); cOutcome = try col("Outcome type", required: true)
        case .stopAndSearch:
            cDate = try col("Date", required: true); cObject = try col("Object of search"); cSearchOutcome = try col("Outcome")
        }
        fileIndex = tally.files.count
        tally.files.append(PoliceUKSummary.FileRead(file: file, kind: k, rows: 0, blankLines: 0))
    }
}

/// What the police.uk files held, accumulated row by row in memory proportional to the distinct months, crime types
/// and areas (not to the rows).
public struct PoliceUKTally: Sendable {
    public var files: [PoliceUKSummary.FileRead] = []
    public private(set) var rows = 0
    public private(set) var rowsWithoutLocation = 0
    public private(set) var rowsWithoutCrimeID = 0
    public private(set) var unusable: [String: Int] = [:]
    var types = ByteInterner()
    var lsoas = ByteInterner()
    var lsoaNames: [String] = []
    var sumLon: [Double] = [], sumLat: [Double] = [], located: [Int] = []
    /// (month index << 8 | type) → crimes.
    var monthType: [Int: Int] = [:]
    /// (month index << 40 | type << 32 | lsoa) → crimes.
    var areaType: [Int: Int] = [:]
    var forces = ByteInterner()
    var outcomeRows = 0, searchRows = 0
    var outcomeCounts: [String: Int] = [:]
    var searchObjects: [String: Int] = [:], searchOutcomes: [String: Int] = [:], searchMonths: [YearMonth: Int] = [:]

    public init() {}

    static let noLocation = "no location (empty coordinates or LSOA)"

    mutating func reject(_ reason: String) { unusable[reason, default: 0] += 1 }

    mutating func street(_ row: CSVRow, headerCount: Int, month cm: Int, type ct: Int, id cid: Int, lon clon: Int,
                         lat clat: Int, lsoa cl: Int, lsoaName cn: Int, falls cf: Int, file: Int) {
        rows += 1
        if row.unterminatedQuote { reject("cut off inside a quoted field"); return }
        if row.count != headerCount {
            reject(row.count < headerCount ? "fewer fields than the header" : "more fields than the header"); return
        }
        guard let month = YearMonth.parse(row.field(cm)) else { reject("month is not YYYY-MM"); return }
        let typeBytes = row.field(ct)
        guard !typeBytes.isEmpty else { reject("no crime type"); return }
        let type = types.intern(typeBytes).index
        guard type < 256 else { reject("more than 255 crime types"); return }
        if cid >= 0 && row.isEmpty(cid) { rowsWithoutCrimeID += 1 }
        monthType[month.index << 8 | type, default: 0] += 1
        if cf >= 0 && !row.isEmpty(cf) { _ = forces.intern(row.field(cf)) }
        var lsoa = -1
        if cl >= 0 && !row.isEmpty(cl) {
            let (i, isNew) = lsoas.intern(row.field(cl))
            lsoa = i
            if isNew {
                lsoaNames.append(cn >= 0 ? row.string(cn) : ""); sumLon.append(0); sumLat.append(0); located.append(0)
            } else if lsoaNames[i].isEmpty && cn >= 0 && !row.isEmpty(cn) { lsoaNames[i] = row.string(cn) }
            areaType[month.index << 40 | type << 32 | i, default: 0] += 1
        }
        let lon = clon >= 0 ? PoliceUKTally.number(row.field(clon)) : nil
        let lat = clat >= 0 ? PoliceUKTally.number(row.field(clat)) : nil
        if let lon, let lat, (-180...180).contains(lon), (-90...90).contains(lat), lsoa >= 0 {
            sumLon[lsoa] += lon; sumLat[lsoa] += lat; located[lsoa] += 1
        } else {
            rowsWithoutLocation += 1
        }
    }

    mutating func outcome(_ row: CSVRow, headerCount: Int, month cm: Int, outcome co: Int, file: Int) {
        outcomeRows += 1
        if row.unterminatedQuote || row.count != headerCount { reject("outcomes: fields do not match the header"); return }
        guard YearMonth.parse(row.field(cm)) != nil else { reject("outcomes: month is not YYYY-MM"); return }
        outcomeCounts[row.string(co), default: 0] += 1
    }

    mutating func search(_ row: CSVRow, headerCount: Int, date cd: Int, object co: Int, outcome cs: Int, file: Int) {
        searchRows += 1
        if row.unterminatedQuote || row.count != headerCount { reject("stop and search: fields do not match the header"); return }
        let d = row.field(cd)
        guard d.count >= 7, let m = YearMonth.parse(d.prefix(7)) else { reject("stop and search: date is not ISO 8601"); return }
        searchMonths[m, default: 0] += 1
        if co >= 0 { searchObjects[row.isEmpty(co) ? "(not recorded)" : row.string(co), default: 0] += 1 }
        if cs >= 0 { searchOutcomes[row.isEmpty(cs) ? "(not recorded)" : row.string(cs), default: 0] += 1 }
    }

    static let powersOfTen: [Double] = (0...18).map { k in (0..<k).reduce(1.0) { a, _ in a * 10 } }

    /// A decimal number (`-1.894353`, `52.48`), without building a string; `nil` when empty or not a number.
    static func number(_ b: ArraySlice<UInt8>) -> Double? {
        guard !b.isEmpty else { return nil }
        var i = b.startIndex
        var negative = false
        if b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { negative = b[i] == UInt8(ascii: "-"); i += 1 }
        var mantissa: UInt64 = 0, scale = 0, digits = 0, seenPoint = false
        while i < b.endIndex {
            let c = b[i]
            if c == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
            } else if c >= 48 && c <= 57 {
                if digits < 15 { mantissa = mantissa * 10 + UInt64(c - 48); digits += 1; if seenPoint { scale += 1 } }
                else { return Double(String(decoding: b, as: UTF8.self)) }
            } else {
                return Double(String(decoding: b, as: UTF8.self).trimmingCharacters(in: .whitespaces))
            }
            i += 1
        }
        guard digits > 0 else { return nil }
        // One division of two exactly represented numbers is correctly rounded, as Double(String) is.
        let v = Double(mantissa) / PoliceUKTally.powersOfTen[scale]
        return negative ? -v : v
    }

    /// The figures police.uk input must report, with every row accounted for.
    public func summary() -> PoliceUKSummary {
        var counts: [PoliceUKSummary.Count] = []
        for (key, n) in monthType {
            counts.append(PoliceUKSummary.Count(month: YearMonth(index: key >> 8), crimeType: types.string(key & 0xFF), count: n))
        }
        counts.sort { ($0.month, $0.crimeType) < ($1.month, $1.crimeType) }
        var perTypeArea: [Int: Int] = [:]
        for (key, n) in areaType { perTypeArea[key & 0xFF_FFFF_FFFF, default: 0] += n }
        var byType: [Int: [(Int, Int)]] = [:]
        for (key, n) in perTypeArea { byType[key >> 32, default: []].append((key & 0xFFFF_FFFF, n)) }
        var top: [PoliceUKSummary.TopArea] = []
        for type in byType.keys.sorted(by: { types.string($0) < types.string($1) }) {
            let areas = byType[type]!.sorted { ($0.1, lsoas.string($1.0)) > ($1.1, lsoas.string($0.0)) }.prefix(10)
            for (lsoa, n) in areas {
                top.append(PoliceUKSummary.TopArea(crimeType: types.string(type), lsoaCode: lsoas.string(lsoa), lsoaName: lsoaNames[lsoa], count: n))
            }
        }
        var outcomes: PoliceUKSummary.Outcomes?
        if files.contains(where: { $0.kind == .outcomes }) {
            outcomes = PoliceUKSummary.Outcomes(rows: outcomeRows, byOutcome: PoliceUKSummary.labelled(outcomeCounts))
        }
        var searches: PoliceUKSummary.StopAndSearch?
        if files.contains(where: { $0.kind == .stopAndSearch }) {
            searches = PoliceUKSummary.StopAndSearch(
                rows: searchRows, byMonth: searchMonths.sorted { $0.key < $1.key }.map { PoliceUKSummary.Labelled(label: $0.key.description, count: $0.value) },
                byObject: PoliceUKSummary.labelled(searchObjects), byOutcome: PoliceUKSummary.labelled(searchOutcomes))
        }
        return PoliceUKSummary(
            files: files, rows: rows, rowsWithoutLocation: rowsWithoutLocation, rowsWithoutCrimeID: rowsWithoutCrimeID,
            rowsUsed: rows - unusable.filter { !$0.key.hasPrefix("outcomes:") && !$0.key.hasPrefix("stop and search:") }.values.reduce(0, +),
            unusable: PoliceUKSummary.labelled(unusable), forces: (0..<forces.count).map { forces.string($0) }.sorted(),
            counts: counts, topAreas: top, outcomes: outcomes, stopAndSearch: searches)
    }

    /// The assessment's input: one series per crime type, at police.uk's resolution; violence for place is "Violence
    /// and sexual offences" and "Robbery". `from`/`to` limit the months (default: every month in the files).
    public func assessmentInput(from: YearMonth? = nil, to: YearMonth? = nil) throws -> AssessmentInput {
        let months = monthType.keys.map { YearMonth(index: $0 >> 8) }
        guard let lo = from ?? months.min(), let hi = to ?? months.max() else {
            throw AssessmentError.noCrimes("the files have no usable street-level crime rows")
        }
        guard lo <= hi else { throw AssessmentError.badPeriod("--from \(lo) is after --to \(hi)") }
        let n = hi.index - lo.index + 1
        var monthly = [[Int]](repeating: [Int](repeating: 0, count: n), count: types.count)
        for (key, c) in monthType {
            let m = (key >> 8) - lo.index
            if m >= 0 && m < n { monthly[key & 0xFF][m] += c }
        }
        var series: [SeriesInput] = []
        var baseCount = 0, baseHarm = 0.0
        let order = (0..<types.count).sorted { types.string($0) < types.string($1) }
        for t in order {
            let name = types.string(t)
            let count = monthly[t].reduce(0, +)
            let harm = OffenceTable.policeUKHarmDays(name)
            let cost = OffenceTable.policeUKCost(name)
            let map = Typology.policeUK(name)
            let isASB = name.lowercased() == "anti-social behaviour"
            if !isASB { baseCount += count; baseHarm += Double(count) * (harm ?? 0) }
            let threat = ["violence and sexual offences", "robbery", "possession of weapons", "public order"].contains(name.lowercased())
            var input = SeriesInput(
                key: name, title: name, framework: "police.uk crime type", who: map.who,
                rule: "police.uk crime type \"\(name)\"; stands for \(map.strand)",
                confidence: threat ? (name.lowercased() == "public order" ? "low" : "medium") : "not applicable",
                hiddenHarm: name.lowercased() == "violence and sexual offences"
                    ? "This type includes domestic abuse, sexual offences, FGM, honour-based violence and modern slavery, each of which recorded crime understates; police.uk cannot separate them."
                    : nil,
                vulnerability: name.lowercased() == "violence and sexual offences" ? 4 : 3, isThreat: threat, monthly: monthly[t],
                harmDays: Double(count) * (harm ?? 0), costGBP: Double(count) * (cost ?? 0), costed: cost == nil ? 0 : count)
            input.inBase = !isASB
            series.append(input)
        }
        // Violence by area over the period (police.uk gives each LSOA's crimes; months outside the period are left out).
        let violent = Set((0..<types.count).filter { ["violence and sexual offences", "robbery"].contains(types.string($0).lowercased()) })
        var byArea = [Int](repeating: 0, count: lsoas.count)
        for (key, c) in areaType where violent.contains((key >> 32) & 0xFF) {
            let m = (key >> 40) - lo.index
            if m >= 0 && m < n { byArea[key & 0xFFFF_FFFF] += c }
        }
        let meanLat = sumLat.reduce(0, +) / Double(max(1, located.reduce(0, +)))
        let metresPerDegreeLon = 111_320 * cos(meanLat * .pi / 180), metresPerDegreeLat = 110_574.0
        var areas: [AreaPoint] = []
        for i in 0..<lsoas.count {
            let lon = located[i] > 0 ? sumLon[i] / Double(located[i]) : nil
            let lat = located[i] > 0 ? sumLat[i] / Double(located[i]) : nil
            areas.append(AreaPoint(code: lsoas.string(i), name: lsoaNames[i], x: lon.map { $0 * metresPerDegreeLon },
                                   y: lat.map { $0 * metresPerDegreeLat }, longitude: lon, latitude: lat, count: byArea[i]))
        }
        let notes = [
            "Source: police.uk street-level crime files as published. Police.uk gives each crime's month, crime type and an anonymised location (a map point snapped to one of a set of anonymous points, and its LSOA); it gives no offence code, no flags, no time of day and nothing about victims or suspects.",
            "Resolution: every figure is at the resolution of police.uk's crime types. Domestic abuse, child sexual exploitation, FGM, honour-based violence, hate crime, modern slavery, knife crime, gangs and serious youth violence cannot be told apart within \"Violence and sexual offences\"; run the assessment on the force's own records (upstream assess --store) for those.",
            "Harm: the CCHI weight of a police.uk crime type is the mean of its Home Office subgroups' CCHI medians, weighted by their share of the type in the West Midlands in 2017/18.",
            "No hour-by-weekday heat map: police.uk publishes no times.",
        ]
        return AssessmentInput(
            source: "police_uk", first: lo, months: n, series: series,
            baseLabel: "all crime (excluding anti-social behaviour)", baseCount: baseCount, baseHarmDays: baseHarm,
            areas: areas, notes: notes)
    }
}

/// The police.uk figures, as `upstream assess --police-uk … --json` prints them (snake_case keys).
public struct PoliceUKSummary: Codable, Sendable {
    public struct FileRead: Codable, Sendable, Equatable {
        public var file: String
        public var kind: PoliceUKFileKind
        /// Data rows (the header and blank lines are not rows).
        public var rows: Int
        public var blankLines: Int
    }
    public struct Count: Codable, Sendable, Equatable {
        public var month: YearMonth
        public var crimeType: String
        public var count: Int
    }
    public struct TopArea: Codable, Sendable, Equatable {
        public var crimeType: String
        public var lsoaCode: String
        public var lsoaName: String
        public var count: Int
    }
    public struct Labelled: Codable, Sendable, Equatable {
        public var label: String
        public var count: Int
    }
    public struct Outcomes: Codable, Sendable { public var rows: Int; public var byOutcome: [Labelled] }
    public struct StopAndSearch: Codable, Sendable {
        public var rows: Int
        public var byMonth: [Labelled]
        public var byObject: [Labelled]
        public var byOutcome: [Labelled]
    }

    public var files: [FileRead]
    /// Street-level crime rows read (every data row of every street file).
    public var rows: Int
    /// Usable rows with no location (empty or invalid coordinates, or no LSOA).
    public var rowsWithoutLocation: Int
    /// Usable rows with no Crime ID (anti-social behaviour).
    public var rowsWithoutCrimeID: Int
    /// Street rows counted in the figures (rows minus unusable street rows).
    public var rowsUsed: Int
    /// Rows that could not be used, by reason (street, outcomes and stop-and-search).
    public var unusable: [Labelled]
    /// The forces the files say the crimes fall within.
    public var forces: [String]
    public var counts: [Count]
    /// Each crime type's ten busiest LSOAs.
    public var topAreas: [TopArea]
    public var outcomes: Outcomes?
    public var stopAndSearch: StopAndSearch?

    static func labelled(_ m: [String: Int]) -> [Labelled] {
        m.map { Labelled(label: $0.key, count: $0.value) }.sorted { ($0.count, $1.label) > ($1.count, $0.label) }
    }
}
