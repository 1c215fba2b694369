import Foundation
import Testing
import UpstreamChronology
import UpstreamModel
import UpstreamRisk
import UpstreamTesting
@testable import UpstreamRiskFeatures

/// The streaming, chunked cohort builder against the chronology-based one on the same synthetic city: the same rows,
/// the same values, whatever the memory budget; and a model trained on its matrix is the same model.
@Suite("Cohorts streamed person by person, in chunks")
struct StreamingCohortTests {
    static var city: TruthLinkedCity.Loaded { ModelOnCityTests.city }
    static let dates: [CivilDate] = {
        let (train, test) = RiskTrainingConfig.schedule(dataStart: ModelOnCityTests.start, dataEnd: city.end, horizonMonths: 24)
        return (train + test).sorted()
    }()
    static let old: [Cohort] = {
        let builder = CohortBuilder(records: city.records, postcodeDeprivation: city.postcodeDeciles)
        return dates.map { builder.cohort(asOf: $0) }
    }()
    static func streamed(budget: Int) -> StreamingCohortBuilder.Built {
        let builder = StreamingCohortBuilder(persons: StreamingCohortBuilder.stream(city.records),
                                             postcodeDeprivation: city.postcodeDeciles, memoryBudget: budget)
        return try! builder.build(dates: dates)
    }
    static let whole = streamed(budget: 8 << 30)

    /// Bitwise equality, so NaN (missing) equals NaN.
    static func same(_ a: [Float], _ b: [Float]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern } }

    func expectSame(_ m: FeatureMatrix, _ cohorts: [Cohort]) {
        #expect(m.dates == cohorts.map(\.asOf))
        #expect(m.rowCount == cohorts.reduce(0) { $0 + $1.rows.count })
        var i = 0, mismatches = 0
        for (d, c) in cohorts.enumerated() {
            #expect(m.excluded[d] == c.excluded, "excluded as of \(c.asOf.iso)")
            #expect(m.rows(of: c.asOf).count == c.rows.count, "rows as of \(c.asOf.iso)")
            for row in c.rows {
                guard i < m.rowCount else { break }
                let s = m.cohortRow(i)
                let ok = s.personID == row.personID && s.asOf == row.asOf && s.age == row.age && s.sex == row.sex
                    && s.ethnicity == row.ethnicity && s.deprivationDecile == row.deprivationDecile && s.outcome == row.outcome
                    && s.outcomeDate == row.outcomeDate && Self.same(s.features, row.features)
                if !ok {
                    mismatches += 1
                    if mismatches <= 5 {
                        let diff = RiskFeatures.names.indices.filter { s.features[$0].bitPattern != row.features[$0].bitPattern }
                            .map { "\(RiskFeatures.names[$0]) \(s.features[$0]) vs \(row.features[$0])" }
                        Issue.record("row \(i) \(row.personID) as of \(row.asOf.iso): \(s.personID) age \(s.age)/\(row.age) sex \(String(describing: s.sex))/\(String(describing: row.sex)) eth \(String(describing: s.ethnicity))/\(String(describing: row.ethnicity)) decile \(String(describing: s.deprivationDecile))/\(String(describing: row.deprivationDecile)) outcome \(s.outcome)/\(row.outcome); \(diff)")
                    }
                }
                i += 1
            }
        }
        #expect(mismatches == 0, "\(mismatches) rows differ")
    }

    @Test func theStreamedMatrixHasTheSameRowsAndValuesAsTheChronologyBuilder() {
        #expect(Self.whole.plan.chunks.count == 1)
        expectSame(Self.whole.matrix, Self.old)
        // The comparison means something: the city exercises the household, co-offending and area features.
        let m = Self.whole.matrix
        func some(_ name: String) -> Bool { m.columns[RiskFeatures.column(name)!].contains { $0 > 0 } }
        #expect(some("ace_household_incarceration") && some("ace_parental_separation") && some("ace_domestic_violence"))
        #expect(some("co_offenders_5y") && some("deprivation_decile") && some("school_absence_rate_12m"))
        #expect(m.outcome.contains(1))
    }

    @Test func aTinyMemoryBudgetCutsTheCityIntoChunksAndGivesTheSameMatrix() {
        // Room for about 2,000 records per chunk (with their neighbours'): dozens of chunks, each read from the spill.
        let tiny = Self.streamed(budget: 4 * 2_000 * StreamingCohortBuilder.bytesPerRecord)
        #expect(tiny.plan.chunks.count > 20, "\(tiny.plan.chunks.count) chunks")
        #expect(zip(tiny.plan.chunks, tiny.plan.recordsHeld).allSatisfy { $1 <= 2_000 || $0.count == 1 })
        // The chunks cover every person once, in order.
        #expect(tiny.plan.chunks.first?.lowerBound == 0 && tiny.plan.chunks.last?.upperBound == tiny.matrix.personIDs.count)
        #expect(zip(tiny.plan.chunks, tiny.plan.chunks.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        expectSame(tiny.matrix, Self.old)
    }

    @Test func theRecordsAroundAPersonGiveTheSameChronologyAsTheWholeCity() throws {
        let builder = StreamingCohortBuilder(persons: StreamingCohortBuilder.stream(Self.city.records), postcodeDeprivation: Self.city.postcodeDeciles)
        let asOf = Self.dates.last!
        let rows = Self.whole.matrix.rows(of: asOf)
        // People with household ACEs or co-offenders: the ones whose features read other people's records.
        let m = Self.whole.matrix
        let wanted = rows.filter { m.columns[RiskFeatures.column("ace_count")!][$0] >= 2 || m.columns[RiskFeatures.column("co_offenders_5y")!][$0] > 0 }
            .prefix(40).map { m.personID(row: $0) }
        #expect(wanted.count >= 10)
        let around = try builder.records(around: Set(wanted), in: Self.whole)
        #expect(around.count < Self.city.records.count / 4)
        let small = CohortBuilder(records: around, postcodeDeprivation: Self.city.postcodeDeciles)
        let big = CohortBuilder(records: Self.city.records, postcodeDeprivation: Self.city.postcodeDeciles)
        let a = small.cohort(asOf: asOf, persons: Set(wanted)).rows, b = big.cohort(asOf: asOf, persons: Set(wanted)).rows
        #expect(a.count == wanted.count && a.map(\.personID) == b.map(\.personID))
        #expect(zip(a, b).allSatisfy { Self.same($0.features, $1.features) })
    }

    /// The city's stream, counting how many times it is replayed.
    final class Replays: @unchecked Sendable { var count = 0 }
    static func counted(_ replays: Replays) -> PersonStream {
        let stream = StreamingCohortBuilder.stream(city.records)
        return { body in replays.count += 1; try stream(body) }
    }

    @Test func aBudgetThatHoldsTheCityReadsItOnceAndAChunkedOneGivesTheSameMatrix() throws {
        // One chunk: the first pass keeps the compact records, so the stream is read once, not twice.
        let once = Replays()
        let whole = try StreamingCohortBuilder(persons: Self.counted(once), postcodeDeprivation: Self.city.postcodeDeciles).build(dates: Self.dates)
        #expect(once.count == 1 && whole.plan.chunks.count == 1)
        // A budget too small to keep the city after the first pass: its compact records spill to disk and each chunk
        // reads its persons back from there; still one pass over the stream, the same matrix.
        let chunked = Replays()
        let budget = 4 * 2_000 * StreamingCohortBuilder.bytesPerRecord
        let tiny = try StreamingCohortBuilder(persons: Self.counted(chunked), postcodeDeprivation: Self.city.postcodeDeciles, memoryBudget: budget)
            .build(dates: Self.dates)
        #expect(tiny.plan.chunks.count > 20 && chunked.count == 1)
        #expect(tiny.matrix.personIDs == whole.matrix.personIDs && tiny.matrix.rowCount == whole.matrix.rowCount)
        #expect(tiny.matrix.excluded == whole.matrix.excluded && tiny.matrix.outcome == whole.matrix.outcome)
        #expect(zip(tiny.matrix.columns, whole.matrix.columns).allSatisfy { Self.same($0, $1) })
        expectSame(whole.matrix, Self.old)
    }

    @Test func aLargerRecordShareOfTheSameBudgetKeepsInMemoryWhatAQuarterSpillsAndGivesTheSameMatrix() throws {
        // The city's compact records fit half this budget but not a quarter of it (score's share and train's).
        let records = Self.city.records.filter { $0.record.event != nil }.count
        let budget = 3 * records * StreamingCohortBuilder.bytesPerRecord
        var builder = StreamingCohortBuilder(persons: StreamingCohortBuilder.stream(Self.city.records), postcodeDeprivation: Self.city.postcodeDeciles,
                                             memoryBudget: budget)
        let quarterPass = try builder.firstPass()
        let quarter = try builder.build(dates: Self.dates, after: quarterPass)
        builder.recordShare = 0.5
        let halfPass = try builder.firstPass()
        let half = try builder.build(dates: Self.dates, after: halfPass)
        #expect(quarterPass.spill != nil && quarter.plan.chunks.count > 1)
        #expect(halfPass.spill == nil && halfPass.kept != nil && half.plan.chunks.count == 1)
        #expect(half.matrix.personIDs == quarter.matrix.personIDs && half.matrix.outcome == quarter.matrix.outcome)
        #expect(zip(half.matrix.columns, quarter.matrix.columns).allSatisfy { Self.same($0, $1) })
    }

    @Test func theSpillFileGivesBackEachPersonsCompactRecordsAndLeavesNoFileBehind() throws {
        let directory = NSTemporaryDirectory() + "spill-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let byPerson = Dictionary(grouping: Self.city.records, by: \.personID).sorted { $0.key < $1.key }
            .map { $0.value.compactMap { CompactRecord($0, deciles: PostcodeDeciles(Self.city.postcodeDeciles)) } }
        let spill = try CompactSpill(directory: directory)
        for records in byPerson { try spill.append(records) }
        try spill.flush()
        // The file is unlinked from the start: nothing is named in the directory while it is in use.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        #expect(spill.personCount == byPerson.count && spill.starts.last == byPerson.reduce(0) { $0 + $1.count })
        func bytes(_ r: [CompactRecord]) -> [UInt8] { r.withUnsafeBytes { Array($0) } }
        for p in [0, 1, byPerson.count / 2, byPerson.count - 1] { #expect(bytes(try spill.records(of: p)) == bytes(byPerson[p])) }
        let some = 10..<(min(byPerson.count, 500))
        #expect(zip(try spill.persons(some), byPerson[some]).allSatisfy { bytes($0) == bytes($1) })
        // A directory that does not exist: a clear error naming it.
        #expect { try CompactSpill(directory: directory + "/missing") } throws: { "\($0)".contains(directory + "/missing") }
    }

    @Test func theFirstPassFindsTheRecordsSpanAndSavesTrainAPassOverTheStore() throws {
        // `risk train` schedules its dates from the first pass's span, then builds on that pass: one replay in all.
        let replays = Replays()
        let builder = StreamingCohortBuilder(persons: Self.counted(replays), postcodeDeprivation: Self.city.postcodeDeciles)
        let first = try builder.firstPass()
        let days = Self.city.records.compactMap { $0.record.event?.date }
        #expect(first.firstEvent == days.min() && first.lastEvent == days.max())
        #expect(first.recordCount == Self.city.records.count && first.ids == Self.whole.matrix.personIDs)
        let built = try builder.build(dates: Self.dates, after: first)
        #expect(replays.count == 1)
        #expect(built.plan == Self.whole.plan && built.matrix.outcome == Self.whole.matrix.outcome && built.matrix.excluded == Self.whole.matrix.excluded)
        #expect(zip(built.matrix.columns, Self.whole.matrix.columns).allSatisfy { Self.same($0, $1) })
        // A chunked budget: the first pass is reused and spilled, no chunk reads the stream again, the same matrix.
        let chunkedReplays = Replays()
        let chunked = StreamingCohortBuilder(persons: Self.counted(chunkedReplays), postcodeDeprivation: Self.city.postcodeDeciles,
                                             memoryBudget: 4 * 2_000 * StreamingCohortBuilder.bytesPerRecord)
        let pass = try chunked.firstPass()
        #expect(pass.plan.chunks.count > 20 && pass.firstEvent == first.firstEvent && pass.lastEvent == first.lastEvent)
        #expect(pass.spill != nil && pass.kept == nil && first.spill == nil && first.kept != nil)
        #expect(pass.spill?.personCount == first.ids.count)
        let tiny = try chunked.build(dates: Self.dates, after: pass)
        #expect(chunkedReplays.count == 1)
        #expect(zip(tiny.matrix.columns, Self.whole.matrix.columns).allSatisfy { Self.same($0, $1) })
    }

    @Test func recordsLookedUpByPersonAreTheRecordsOfAPassOverTheStream() throws {
        let byPerson = Dictionary(grouping: Self.city.records, by: \.personID)  // each person's records in the order given
        let replays = Replays()
        let lookups = Replays()
        let indexed = StreamingCohortBuilder(persons: Self.counted(replays), postcodeDeprivation: Self.city.postcodeDeciles,
                                             lookup: { lookups.count += 1; return byPerson[$0] ?? [] })
        let streamed = StreamingCohortBuilder(persons: StreamingCohortBuilder.stream(Self.city.records), postcodeDeprivation: Self.city.postcodeDeciles)
        let m = Self.whole.matrix
        let wanted = Set(m.rows(of: Self.dates.last!).filter { m.columns[RiskFeatures.column("ace_count")!][$0] >= 2 }.prefix(30).map { m.personID(row: $0) })
        #expect(wanted.count >= 10)
        let a = try indexed.records(around: wanted, in: Self.whole), b = try streamed.records(around: wanted, in: Self.whole)
        // The same records in the same order (persons in stream order, each one's records as given), without a pass.
        #expect(replays.count == 0 && lookups.count >= wanted.count && lookups.count < m.personIDs.count / 4)
        #expect(a.count == b.count && zip(a, b).allSatisfy { $0.personID == $1.personID && $0.record == $1.record })
    }

    @Test func aModelTrainedOnTheStreamedMatrixIsTheModelTrainedOnTheCohorts() throws {
        let old = try ModelOnCityTests.trained.get()
        let builder = StreamingCohortBuilder(persons: StreamingCohortBuilder.stream(Self.city.records), postcodeDeprivation: Self.city.postcodeDeciles)
        let streamed = try RiskTraining.train(
            matrix: Self.whole.matrix, config: old.config, created: old.created, pseudonym: { "YP-" + $0 },
            explain: { CohortBuilder(records: try builder.records(around: $0, in: Self.whole), postcodeDeprivation: Self.city.postcodeDeciles) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        #expect(try encoder.encode(streamed) == encoder.encode(old))
        #expect(!streamed.report.flagged.isEmpty && streamed.report.flagged.map(\.reasons) == old.report.flagged.map(\.reasons))
    }
    /// `workers` threads at once, as the workspace runs them.
    static func threads(_ workers: Int) -> Parallelism {
        Parallelism(workers: workers) { n, body in DispatchQueue.concurrentPerform(iterations: n, execute: body) }
    }

    /// The city's records as a store would scan them: in the order given (load order), cut into `parts` consecutive
    /// parts, each person with a bound of their record count plus `slack`; `extra` names a record's person the list
    /// does not hold; `listed` adds persons to the end of the list: the first never named, the second named only
    /// by a record that is not person-level.
    static func scan(parts: Int, slack: Int = 0, extra: String? = nil, listed: (gone: String, other: String)? = nil) -> LinkedRecordScan {
        let records = city.records
        let counts = Dictionary(grouping: records, by: \.personID).mapValues(\.count)
        var persons = counts.keys.sorted().map { (id: $0, records: counts[$0]! + slack) }
        if let listed { persons += [(listed.gone, 3), (listed.other, 1)] }
        let position = Dictionary(persons.enumerated().map { ($1.id, UInt32($0)) }, uniquingKeysWith: { a, _ in a }), listedCount = persons.count
        return LinkedRecordScan(persons: persons, parts: parts) { part, body in
            func give(_ person: String, _ r: LinkedRecord?) throws {
                let p = position[person] ?? UInt32(listedCount)   // beyond the list: a person it does not hold
                if let r { try withColumns(r) { try body(p, $0) } } else { try body(p, nil) }
            }
            let n = records.count
            for r in records[(n * part / parts)..<(n * (part + 1) / parts)] {
                try give(r.personID, r)
                if let listed, part == 0, r.personID == records[0].personID { try give(listed.other, nil) }
            }
            if let extra, part == parts - 1 { try give(extra, records[0]) }
        }
    }

    /// A record's feature columns as a store gives them (text as bytes, valid during `body`).
    static func withColumns<T>(_ l: LinkedRecord, _ body: (FeatureColumns) throws -> T) rethrows -> T {
        var held: [UnsafeMutableBufferPointer<UInt8>] = []
        defer { held.forEach { $0.deallocate() } }
        func bytes(_ s: String?) -> UnsafeBufferPointer<UInt8>? {
            guard let s else { return nil }
            let b = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, s.utf8.count))
            _ = b.initialize(from: s.utf8)
            held.append(b)
            return UnsafeBufferPointer(rebasing: b[0..<s.utf8.count])
        }
        let r = l.record, i = r.identity, e = r.event
        return try body(FeatureColumns(
            agency: r.agency, sex: i.sex, dateOfBirth: i.dateOfBirth, surname: bytes(i.surname), postcode: bytes(i.postcode),
            ethnicity: bytes(i.ethnicity), address: bytes(i.address), event: e.map { ($0.kind, $0.date) }, role: e?.role,
            offenceCode: bytes(e?.offenceCode), flags: e?.flags ?? [], detail: bytes(e?.detail), reference: bytes(e?.reference),
            recordedDate: e?.recordedDate, extras: l.extras, extrasJSON: nil).withPlainExtras(bytes(Self.json(l.extras))))
    }

    /// A flat object's text as stores write it (keys in order, JSON string escapes).
    static func json(_ extras: [String: String]) -> String? {
        extras.isEmpty ? nil : "{" + extras.keys.sorted().map { JSONText.quoted($0) + ":" + JSONText.quoted(extras[$0]!) }.joined(separator: ",") + "}"
    }

    @Test func aCompactRecordMadeFromTheColumnsBytesIsTheOneMadeFromTheRecord() {
        // Every record of the city, and each again with its text made non-ASCII, lower case, empty or missing, so the
        // byte paths and their fall-backs to the record path's functions are both taken.
        let variants: [(inout LinkedRecord) -> Void] = [
            { _ in },
            { $0.record.identity.surname = $0.record.identity.surname.map { "Ó" + $0.lowercased() } },
            { $0.record.identity.postcode = $0.record.identity.postcode?.lowercased() },
            { $0.record.identity.postcode = $0.record.identity.postcode.map { $0 + "é" } },
            { $0.record.identity.address = $0.record.identity.address.map { "Flat 3, " + $0 + " Ørsted" } },
            { $0.record.identity.address = $0.record.identity.address.map { "flat 2 " + $0 } },
            { $0.record.identity.address = nil },
            { $0.record.identity.postcode = "" },
            { if let r = $0.record.event?.reference { $0.record.event?.reference = r + "ü" } },
            { $0.record.event?.reference = "" },
            { if let d = $0.record.event?.detail { $0.record.event?.detail = d.lowercased() + " ß" } },
            { if let d = $0.record.event?.date { $0.record.event?.recordedDate = d.adding(days: -3) } },
            // School terms' extras read in place and through the dictionary: odd numbers and flags, a missing or
            // escaped key (not plain: decoded), a value with a quote or a non-ASCII letter.
            { if !$0.extras.isEmpty { $0.extras["FSM"] = ["yes", "Y ", "true", "ſ", "", "no"][Int($0.record.recordID.utf8.last ?? 0) % 6] } },
            { if !$0.extras.isEmpty { $0.extras["SessionsPossible"] = ["+120", "-3", " 4", "1e2", "99999999999999999999", ""][Int($0.record.recordID.utf8.last ?? 0) % 6] } },
            { $0.extras["SessionsAuthorisedAbsence"] = nil; $0.extras["Note"] = "a \"quoted\" é" },
            { if let p = $0.extras.removeValue(forKey: "SessionsPossible") { $0.extras["Sessions\\Possible"] = p; $0.extras["SessionsPossible"] = "7" } },
        ]
        var codesA = CompactCodes(), codesB = CompactCodes(), compared = 0, mismatches = 0
        for (k, variant) in variants.enumerated() {
            for (n, original) in Self.city.records.enumerated() where k == 0 || n % 7 == k % 7 {
                var l = original
                variant(&l)
                let a = CompactRecord(l, deciles: PostcodeDeciles(Self.city.postcodeDeciles), codes: &codesA)
                let b = Self.withColumns(l) { CompactRecord($0, deciles: PostcodeDeciles(Self.city.postcodeDeciles), codes: &codesB) }
                compared += 1
                if a != b {
                    mismatches += 1
                    if mismatches <= 3 { Issue.record("variant \(k), record \(l.record.source)/\(l.record.recordID): \(String(describing: a)) vs \(String(describing: b))") }
                }
            }
        }
        #expect(compared > Self.city.records.count && mismatches == 0, "\(mismatches) of \(compared) differ")
    }

    @Test func theFirstPassOverRecordsInStoreOrderIsThePassOverTheStream() throws {
        let stream = try StreamingCohortBuilder(persons: StreamingCohortBuilder.stream(Self.city.records), postcodeDeprivation: Self.city.postcodeDeciles).firstPass()
        // Enough records that every part below fills and hands on several full runs of its one bucket.
        #expect(stream.recordCount > 3 * 2 * StreamingCohortBuilder.placedBuffer, "\(stream.recordCount) records")
        for (parts, workers) in [(1, 1), (3, 2), (2, 2)] {
            var builder = StreamingCohortBuilder(persons: { _ in Issue.record("the stream is not replayed") }, postcodeDeprivation: Self.city.postcodeDeciles,
                                                 parallelism: Self.threads(workers))
            builder.scan = Self.scan(parts: parts, slack: parts)
            let pass = try builder.firstPass()
            #expect(pass.ids == stream.ids && pass.recordCount == stream.recordCount)
            #expect(pass.firstEvent == stream.firstEvent && pass.lastEvent == stream.lastEvent && pass.plan == stream.plan)
            #expect(pass.kept != nil && pass.spill == nil)
            // Field by field (the records' padding bytes are not theirs to compare).
            #expect(pass.kept! == stream.kept!, "each person's compact records, in order (\(parts) parts)")
            let built = try builder.build(dates: Self.dates, after: pass)
            #expect(built.matrix.personIDs == Self.whole.matrix.personIDs && built.matrix.outcome == Self.whole.matrix.outcome)
            #expect(zip(built.matrix.columns, Self.whole.matrix.columns).allSatisfy { Self.same($0, $1) })
        }
    }

    @Test func aTinyBudgetSortsTheScannedRecordsInBucketsOnDiskAndGivesTheSameMatrix() throws {
        let directory = NSTemporaryDirectory() + "scan-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Room for about 2,000 records a bucket: dozens of buckets, each part writing each bucket's records to a
        // file of its own (more than one buffer's worth in the larger buckets' files is not needed: any file is).
        let budget = 4 * 2_000 * StreamingCohortBuilder.bytesPerRecord
        var builder = StreamingCohortBuilder(persons: { _ in Issue.record("the stream is not replayed") }, postcodeDeprivation: Self.city.postcodeDeciles,
                                             memoryBudget: budget, parallelism: Self.threads(2), spillDirectory: directory)
        builder.scan = Self.scan(parts: 2)
        let pass = try builder.firstPass()
        #expect(pass.spill != nil && pass.kept == nil && pass.plan.chunks.count > 20)
        let stream = try StreamingCohortBuilder(persons: StreamingCohortBuilder.stream(Self.city.records), postcodeDeprivation: Self.city.postcodeDeciles,
                                                memoryBudget: budget).firstPass()
        #expect(pass.plan == stream.plan && pass.ids == stream.ids)
        let all = 0..<pass.ids.count
        #expect(try pass.spill!.persons(all) == stream.spill!.persons(all))
        let built = try builder.build(dates: Self.dates, after: pass)
        #expect(zip(built.matrix.columns, Self.whole.matrix.columns).allSatisfy { Self.same($0, $1) })
        expectSame(built.matrix, Self.old)
        // The buckets' files and the spill were unlinked from the start: nothing named in the directory.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    @Test func aListedPersonTheScanNeverNamesIsLeftOutAndOneWithOnlyOtherRecordsIsKeptWithNone() throws {
        let stream = try StreamingCohortBuilder(persons: StreamingCohortBuilder.stream(Self.city.records), postcodeDeprivation: Self.city.postcodeDeciles).firstPass()
        var builder = StreamingCohortBuilder(persons: { _ in }, postcodeDeprivation: Self.city.postcodeDeciles, parallelism: Self.threads(2))
        builder.scan = Self.scan(parts: 3, listed: (gone: "P~GONE", other: "P~OTHER"))
        let pass = try builder.firstPass()
        #expect(pass.ids == stream.ids + ["P~OTHER"] && pass.recordCount == stream.recordCount)
        #expect(pass.kept! == stream.kept! + [[]])
    }

    @Test func aScannedRecordOfAPersonTheScanDoesNotListIsAClearError() throws {
        var builder = StreamingCohortBuilder(persons: { _ in }, postcodeDeprivation: Self.city.postcodeDeciles, parallelism: Self.threads(2))
        builder.scan = Self.scan(parts: 2, extra: "P-NOT-LISTED")
        #expect { try builder.firstPass() } throws: { "\($0)".contains("disagree") && $0 is LinkedRecordScanError }
    }
}

extension FeatureColumns {
    /// The columns as the SQLite store gives them: extras in a plain flat object as their text, others decoded.
    func withPlainExtras(_ json: UnsafeBufferPointer<UInt8>?) -> FeatureColumns {
        guard let json, FlatJSONObject.isPlain(json) else { return self }
        var c = self
        c.extras = [:]
        c.extrasJSON = json
        return c
    }
}
