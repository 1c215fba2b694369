import UpstreamModel

/// What standardising reads of a record: its columns' raw text, its typed date of birth and sex, and where its
/// local id's scope comes from. A ``LinkInput`` is one; a row of a ``RawRecordBatch`` is another.
protocol StandardisableRecord {
    /// The raw text of `field` of `plan` (`nil` when absent or empty).
    func raw(_ field: PreparedData.StandardisePlan.Field, _ plan: PreparedData.StandardisePlan) -> String?
    var dateOfBirth: CivilDate? { get }
    var sex: Sex? { get }
    var localIDScope: String? { get }
    var agency: String { get }
}

extension LinkInput: StandardisableRecord {
    func raw(_ field: PreparedData.StandardisePlan.Field, _ plan: PreparedData.StandardisePlan) -> String? { raw(plan.inputColumns[field.column]) }
}

/// Records read straight from one file's bytes, a batch at a time: each record's fields as byte ranges of one
/// buffer, its date of birth and sex already parsed, and what every record of the file shares (its source, agency
/// and local-id scope) held once. Reading a file this way makes no `LinkInput`, dictionary or String per field; the
/// text of a field is made only where a standardising worker reads it (session 43: the file's reader thread spent
/// about 2.8 CPU-s of a 1,000,000-record read making `LinkInput`s, Benchmarks/linkage.md).
///
/// Each record has ``builtInSlots`` built-in fields (forename, middle names, surname, postcode, NHS number, UPN,
/// PNC id, local id, address, in ``LinkInput/Column``'s order), then one for each of ``fieldNames``.
public final class RawRecordBatch: Sendable {
    /// The fields every record has before the declared ones.
    public static let builtInSlots = 9
    public let source: String
    public let agency: String
    public let localIDScope: String?
    /// The declared columns the records hold, in their slots' order.
    public let fieldNames: [String]
    /// Each record's id within its source.
    public let recordIDs: [String]
    let bytes: [UInt8]
    /// Slot s of record r ends at `ends[r * width + s]` and starts where the slot before it ends (0 for the first).
    let ends: [UInt32]
    /// Each record's date of birth as a day number (`PreparedData.missingDate` for none).
    let days: [Int32]
    /// Each record's sex: 0 none, 1 male, 2 female.
    let sexes: [UInt8]
    /// Slots a record.
    public var width: Int { Self.builtInSlots + fieldNames.count }
    public var count: Int { recordIDs.count }

    init(_ w: Writer) {
        source = w.source; agency = w.agency; localIDScope = w.localIDScope; fieldNames = w.fieldNames
        recordIDs = w.recordIDs; bytes = w.bytes; ends = w.ends; days = w.days; sexes = w.sexes
    }

    /// The slot of a built-in column (-1 for a declared one).
    static func builtInSlot(_ column: LinkInput.Column) -> Int {
        switch column {
        case .forename: 0
        case .middleNames: 1
        case .surname: 2
        case .postcode: 3
        case .nhs: 4
        case .upn: 5
        case .pnc: 6
        case .localID: 7
        case .address: 8
        case .field: -1
        }
    }

    /// A day number as a date (`PreparedData.missingDate` is none), and a sex code (0 none, 1 male, 2 female) as a sex.
    @inline(__always) static func date(_ day: Int32) -> CivilDate? { day == PreparedData.missingDate ? nil : CivilDate(dayNumber: day) }
    @inline(__always) static func sex(_ code: UInt8) -> Sex? { code == 1 ? .male : code == 2 ? .female : nil }

    /// The slot of `column` (`nil` for a declared column the records do not hold).
    func slot(_ column: LinkInput.Column) -> Int? {
        if case .field(let name) = column { return fieldNames.firstIndex(of: name).map { Self.builtInSlots + $0 } }
        return Self.builtInSlot(column)
    }

    /// The text of `column` of record `r` (`nil` when absent or empty).
    public func text(_ r: Int, _ column: LinkInput.Column) -> String? { slot(column).flatMap { text(r, $0) } }

    /// The text of slot `s` of record `r` (`nil` when empty).
    func text(_ r: Int, _ s: Int) -> String? {
        let k = r * width + s
        let from = k == 0 ? 0 : Int(ends[k - 1]), to = Int(ends[k])
        guard to > from else { return nil }
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[from..<to]), as: UTF8.self) }
    }

    /// Calls `body` with the records as `plan` reads them (`body`'s argument gives record r; its records are valid only
    /// inside `body`): each record reads its fields' bytes in place, without reference counting.
    func withRecords<T>(_ plan: PreparedData.StandardisePlan, _ body: ((Int) -> Record) -> T) -> T {
        let slots = plan.fieldNames.map { slot(.field($0)) ?? -1 }
        let width = self.width
        return bytes.withUnsafeBufferPointer { bytes in ends.withUnsafeBufferPointer { ends in slots.withUnsafeBufferPointer { slots in
            days.withUnsafeBufferPointer { days in sexes.withUnsafeBufferPointer { sexes in
                body { r in
                    Record(batch: self, bytes: bytes, ends: UnsafeBufferPointer(rebasing: ends[r * width..<(r + 1) * width]),
                           from: r == 0 ? 0 : ends[r * width - 1], fieldSlots: slots, day: days[r], sexCode: sexes[r])
                }
            } }
        } } }
    }

    /// One record of a batch, read in place (valid only inside ``withRecords(_:_:)``).
    struct Record: StandardisableRecord {
        unowned(unsafe) let batch: RawRecordBatch
        let bytes: UnsafeBufferPointer<UInt8>
        /// This record's slots' ends.
        let ends: UnsafeBufferPointer<UInt32>
        /// Where its first slot starts.
        let from: UInt32
        /// The slot of each of the plan's declared fields (-1 for one the batch does not hold).
        let fieldSlots: UnsafeBufferPointer<Int>
        let day: Int32, sexCode: UInt8

        @inline(__always) func raw(_ field: PreparedData.StandardisePlan.Field, _ plan: PreparedData.StandardisePlan) -> String? {
            let s = field.builtIn >= 0 ? field.builtIn : fieldSlots[field.field]
            guard s >= 0 else { return nil }
            let a = s == 0 ? from : ends[s - 1], b = ends[s]
            guard b > a else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(a)..<Int(b)]), as: UTF8.self)
        }
        var dateOfBirth: CivilDate? { RawRecordBatch.date(day) }
        var sex: Sex? { RawRecordBatch.sex(sexCode) }
        var localIDScope: String? { batch.localIDScope }
        var agency: String { batch.agency }
    }

    /// The records as link inputs (what reading a file gave before there were raw batches).
    public func linkInputs() -> [LinkInput] {
        (0..<count).map { r in
            var x = LinkInput(source: source, recordID: recordIDs[r], agency: agency)
            x.forename = text(r, 0); x.middleNames = text(r, 1); x.surname = text(r, 2); x.postcode = text(r, 3)
            x.nhsNumber = text(r, 4); x.upn = text(r, 5); x.pncID = text(r, 6); x.localID = text(r, 7); x.address = text(r, 8)
            x.dateOfBirth = Self.date(days[r]); x.sex = Self.sex(sexes[r]); x.localIDScope = localIDScope
            for (i, name) in fieldNames.enumerated() { if let v = text(r, Self.builtInSlots + i) { x.fields[name] = v } }
            return x
        }
    }

    /// Fills a batch record by record: ``begin(recordID:)``, then each slot's bytes in order, each closed with
    /// ``endSlot()``, then ``end(dateOfBirth:sex:)``.
    public struct Writer {
        let source: String, agency: String, localIDScope: String?, fieldNames: [String]
        let reserved: Int
        public private(set) var recordIDs: [String] = []
        /// The bytes of every slot written so far (a slot's bytes are appended here before ``endSlot()``).
        public var bytes: [UInt8] = []
        var ends: [UInt32] = [], days: [Int32] = [], sexes: [UInt8] = []
        var width: Int { RawRecordBatch.builtInSlots + fieldNames.count }
        public var count: Int { recordIDs.count }

        public init(source: String, agency: String, localIDScope: String?, fieldNames: [String], reserving records: Int = 0) {
            self.source = source; self.agency = agency; self.localIDScope = localIDScope; self.fieldNames = fieldNames
            reserved = records
            reserve()
        }

        private mutating func reserve() {
            let records = reserved
            recordIDs.reserveCapacity(records); days.reserveCapacity(records); sexes.reserveCapacity(records)
            ends.reserveCapacity(records * width); bytes.reserveCapacity(records * 64)
        }

        public mutating func begin(recordID: String) { recordIDs.append(recordID) }
        /// Closes the current slot with the bytes appended since the slot before it.
        public mutating func endSlot() {
            precondition(bytes.count <= Int(UInt32.max), "a batch's fields exceed 4 GiB")
            ends.append(UInt32(bytes.count))
        }
        public mutating func end(dateOfBirth: CivilDate?, sex: Sex?) {
            precondition(ends.count == recordIDs.count * width, "a record ended with \(ends.count - (recordIDs.count - 1) * width) of its \(width) slots")
            days.append(dateOfBirth?.dayNumber ?? PreparedData.missingDate)
            sexes.append(sex == .male ? 1 : sex == .female ? 2 : 0)
        }
        /// The batch written; the writer starts again empty.
        public mutating func take() -> RawRecordBatch {
            let b = RawRecordBatch(self)
            recordIDs = []; bytes = []; ends = []; days = []; sexes = []
            reserve()
            return b
        }
    }
}
