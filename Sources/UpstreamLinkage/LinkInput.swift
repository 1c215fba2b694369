import UpstreamModel

/// One person-level row to link: where it came from and what it says about who the person is.
public struct LinkInput: Hashable, Sendable, Codable {
    /// The source (extract) name, e.g. `school_census`.
    public var source: String
    /// The row's id within its source.
    public var recordID: String
    /// The agency that holds the source, for per-agency evaluation (the source name when unknown).
    public var agency: String
    public var forename: String?
    public var middleNames: String?
    public var surname: String?
    public var dateOfBirth: CivilDate?
    public var sex: Sex?
    public var postcode: String?
    public var nhsNumber: String?
    public var upn: String?
    public var pncID: String?
    /// The agency's own person id (child id, case number); compared only between rows of the same scope.
    public var localID: String?
    /// The id system `localID` belongs to (default: the agency, so two extracts of one social care system share it).
    public var localIDScope: String?
    /// Address lines joined ", " (house number or name, flat, street, locality, town), without the postcode.
    public var address: String?
    /// Any other columns, by the names the settings declare under `columns`.
    public var fields: [String: String]

    public init(
        source: String, recordID: String, agency: String? = nil, forename: String? = nil, middleNames: String? = nil,
        surname: String? = nil, dateOfBirth: CivilDate? = nil, sex: Sex? = nil, postcode: String? = nil,
        nhsNumber: String? = nil, upn: String? = nil, pncID: String? = nil, localID: String? = nil, address: String? = nil,
        fields: [String: String] = [:]
    ) {
        self.source = source; self.recordID = recordID; self.agency = agency ?? source
        self.forename = forename; self.middleNames = middleNames; self.surname = surname
        self.dateOfBirth = dateOfBirth; self.sex = sex; self.postcode = postcode
        self.nhsNumber = nhsNumber; self.upn = upn; self.pncID = pncID; self.localID = localID
        self.address = address; self.fields = fields
    }

    /// The raw text of a built-in or declared column (`nil` when absent). Dates and sex come typed; see `PreparedData`.
    public func raw(_ column: String) -> String? { raw(Column(column)) }

    /// A column of the input, its name resolved once (a linkage reads every record's columns by name).
    public enum Column: Hashable, Sendable {
        case forename, middleNames, surname, postcode, nhs, upn, pnc, localID, address
        /// A declared column, read from `fields`.
        case field(String)

        public init(_ name: String) {
            switch name {
            case "forename": self = .forename
            case "middle_names": self = .middleNames
            case "surname": self = .surname
            case "postcode": self = .postcode
            case "nhs": self = .nhs
            case "upn": self = .upn
            case "pnc": self = .pnc
            case "local_id": self = .localID
            case "address": self = .address
            default: self = .field(name)
            }
        }
    }

    /// The raw text of `column` (`nil` when absent).
    public func raw(_ column: Column) -> String? {
        switch column {
        case .forename: forename
        case .middleNames: middleNames
        case .surname: surname
        case .postcode: postcode
        case .nhs: nhsNumber
        case .upn: upn
        case .pnc: pncID
        case .localID: localID
        case .address: address
        case .field(let name): fields[name]
        }
    }

    /// The linkage view of a stored source record. An NHS number the store marked invalid is dropped.
    public init(_ record: SourceRecord) {
        let id = record.identity
        self.init(
            source: record.source, recordID: record.recordID, agency: record.agency.rawValue,
            forename: id.forename, middleNames: id.middleNames, surname: id.surname, dateOfBirth: id.dateOfBirth,
            sex: id.sex, postcode: id.postcode, nhsNumber: id.nhsNumberValid == false ? nil : id.nhsNumber,
            upn: id.upn, pncID: id.pncID, localID: id.localID, address: id.address)
    }

    /// The key that names this row everywhere: `source` and `recordID`.
    public var key: RecordKey { RecordKey(source: source, recordID: recordID) }
}

