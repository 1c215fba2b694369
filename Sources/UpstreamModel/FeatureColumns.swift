/// One stored person-level record's columns that the risk features read, as a store holds them: coded columns
/// already checked and typed, text as UTF-8 bytes that are valid only during the call that gives them (a store hands
/// them over from its own buffers, so reading a city's records makes no string per column; issue 17). The risk
/// features make their compact record from these exactly as from the record itself (`CompactRecord`).
public struct FeatureColumns {
    public var agency: Agency
    public var sex: Sex?
    public var dateOfBirth: CivilDate?
    public var surname: UnsafeBufferPointer<UInt8>?
    public var postcode: UnsafeBufferPointer<UInt8>?
    public var ethnicity: UnsafeBufferPointer<UInt8>?
    public var address: UnsafeBufferPointer<UInt8>?
    /// The event's kind and date; nil for a record without an event.
    public var event: (kind: EventKind, date: CivilDate)?
    public var role: EventRole?
    public var offenceCode: UnsafeBufferPointer<UInt8>?
    public var flags: CrimeFlags
    public var detail: UnsafeBufferPointer<UInt8>?
    public var reference: UnsafeBufferPointer<UInt8>?
    public var recordedDate: CivilDate?
    /// The extras the features read (school terms' attendance figures), by name; empty for other records, and
    /// empty when ``extrasJSON`` holds them.
    public var extras: [String: String]
    /// The extras' own text when it is a plain flat object (``FlatJSONObject/isPlain(_:maxKeys:)``), read in place
    /// instead of decoded into ``extras``; nil otherwise.
    public var extrasJSON: UnsafeBufferPointer<UInt8>?

    public init(agency: Agency, sex: Sex?, dateOfBirth: CivilDate?, surname: UnsafeBufferPointer<UInt8>?, postcode: UnsafeBufferPointer<UInt8>?,
                ethnicity: UnsafeBufferPointer<UInt8>?, address: UnsafeBufferPointer<UInt8>?, event: (kind: EventKind, date: CivilDate)?,
                role: EventRole?, offenceCode: UnsafeBufferPointer<UInt8>?, flags: CrimeFlags, detail: UnsafeBufferPointer<UInt8>?,
                reference: UnsafeBufferPointer<UInt8>?, recordedDate: CivilDate?, extras: [String: String],
                extrasJSON: UnsafeBufferPointer<UInt8>? = nil) {
        self.agency = agency; self.sex = sex; self.dateOfBirth = dateOfBirth; self.surname = surname; self.postcode = postcode
        self.ethnicity = ethnicity; self.address = address; self.event = event; self.role = role; self.offenceCode = offenceCode
        self.flags = flags; self.detail = detail; self.reference = reference; self.recordedDate = recordedDate; self.extras = extras
        self.extrasJSON = extrasJSON
    }
}
