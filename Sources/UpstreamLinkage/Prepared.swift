import UpstreamModel

/// Standardised records, held column by column and integer-coded.
///
/// Rows whose standardised identity is identical (a pupil's twelve census rows, say) collapse into one
/// *node*: nodes are what blocking, comparison and clustering work on, and every record follows its node.
public struct PreparedData: Sendable {
    public static let missing: Int32 = -1
    public static let missingDate: Int32 = .min

    /// The source and id of each record, in input order.
    public let keys: [RecordKey]
    /// Each record's agency (index into `agencies`).
    public let agencyOfRecord: [Int32]
    public let agencies: [String]
    /// Each record's node.
    public let nodeOfRecord: [Int32]
    /// How many records each node holds.
    public let recordCount: [Int32]
    /// Interned strings (names, codes), as upper-case bytes.
    public let strings: [[UInt8]]

    // Node columns; `missing` (-1) where the value is absent.
    public let forename: [Int32]
    public let forenameCanonical: [Int32]
    public let forenamePhonetic: [Int32]
    /// Middle-name tokens of each node: `middleTokens[middleStart[n]..<middleStart[n+1]]`.
    public let middleStart: [Int32]
    public let middleTokens: [Int32]
    public let surname: [Int32]
    public let surnamePhonetic: [Int32]
    /// First and last surname tokens (differ for hyphenated or double-barrelled surnames).
    public let surnameFirstToken: [Int32]
    public let surnameLastToken: [Int32]
    public let dob: [Int32]
    /// 0 missing, 1 male, 2 female.
    public let sex: [UInt8]
    public let postcodeUnit: [Int32]
    public let postcodeSector: [Int32]
    public let postcodeDistrict: [Int32]
    public let nhs: [Int32]
    public let upn: [Int32]
    public let pnc: [Int32]
    /// The PNC id's serial without its year prefix (a person's id keyed with different years shares it).
    public let pncSerial: [Int32]
    /// A local id scoped by its source, and the source it belongs to.
    public let localID: [Int32]
    public let localSource: [Int32]
    /// Whether each node holds at least one record flagged as new (incremental linking).
    public let isNew: [Bool]

    public var nodeCount: Int { forename.count }
    public var recordCountTotal: Int { keys.count }

    struct NodeKey: Hashable {
        var f: Int32, mid: [Int32], s: Int32, d: Int32, sex: UInt8, pc: Int32, nhs: Int32, upn: Int32, pnc: Int32, local: Int32
        var own: Int
    }

    /// Standardises `inputs`. `isNew`, when given, marks the records that are new in an incremental run;
    /// records in `ownNode` never share a node (a reviewer said they are different people).
    public init(_ inputs: [LinkInput], isNew newFlags: [Bool]? = nil, ownNode: Set<RecordKey> = []) {
        var intern: [String: Int32] = [:]
        var strings: [[UInt8]] = []
        func id(_ s: String?) -> Int32 {
            guard let s, !s.isEmpty else { return PreparedData.missing }
            if let v = intern[s] { return v }
            let v = Int32(strings.count)
            intern[s] = v
            strings.append(Array(s.utf8))
            return v
        }
        var agencyIndex: [String: Int32] = [:]
        var agencies: [String] = []
        var nodeIndex: [NodeKey: Int32] = [:]
        var keys: [RecordKey] = [], agencyOfRecord: [Int32] = [], nodeOfRecord: [Int32] = [], recordCount: [Int32] = []
        var fore: [Int32] = [], foreC: [Int32] = [], foreP: [Int32] = [], midStart: [Int32] = [0], mids: [Int32] = []
        var sur: [Int32] = [], surP: [Int32] = [], surT1: [Int32] = [], surT2: [Int32] = []
        var dob: [Int32] = [], sex: [UInt8] = [], pcU: [Int32] = [], pcS: [Int32] = [], pcD: [Int32] = []
        var nhs: [Int32] = [], upn: [Int32] = [], pnc: [Int32] = [], pncSerial: [Int32] = [], local: [Int32] = [], localSrc: [Int32] = []
        var isNew: [Bool] = []
        var phoneticCache: [Int32: Int32] = [:]
        func phon(_ nameID: Int32) -> Int32 {
            guard nameID >= 0 else { return PreparedData.missing }
            if let p = phoneticCache[nameID] { return p }
            let p = id("#" + Phonetic.nysiis(String(decoding: strings[Int(nameID)], as: UTF8.self)))
            phoneticCache[nameID] = p
            return p
        }
        keys.reserveCapacity(inputs.count); nodeOfRecord.reserveCapacity(inputs.count)
        for (r, input) in inputs.enumerated() {
            keys.append(input.key)
            if let a = agencyIndex[input.agency] { agencyOfRecord.append(a) } else {
                agencyIndex[input.agency] = Int32(agencies.count); agencyOfRecord.append(Int32(agencies.count)); agencies.append(input.agency)
            }
            let given = Standardise.givenNames(forename: input.forename, middle: input.middleNames)
            let sn = Standardise.surname(input.surname)
            let f = id(given?.forename)
            let m = (given?.middle ?? []).map { id($0) }
            let s = id(sn?.joined)
            let d = Standardise.dateOfBirth(input.dateOfBirth)?.dayNumber ?? PreparedData.missingDate
            let sx: UInt8 = input.sex == .male ? 1 : input.sex == .female ? 2 : 0
            let pc = Standardise.postcode(input.postcode)
            let pcUnit = id(pc?.unit)
            let n = id(Standardise.nhsNumber(input.nhsNumber).map { "N" + $0 })
            let u = id(Standardise.upn(input.upn).map { "U" + $0 })
            let pncText = Standardise.pnc(input.pncID)
            let p = id(pncText.map { "C" + $0 })
            let scope = input.localIDScope ?? input.agency
            let l = id(Standardise.code(input.localID).map { "L" + scope + "|" + $0 })
            let key = NodeKey(f: f, mid: m, s: s, d: d, sex: sx, pc: pcUnit, nhs: n, upn: u, pnc: p, local: l,
                              own: ownNode.isEmpty || !ownNode.contains(input.key) ? -1 : r)
            let newFlag = newFlags?[r] ?? false
            if let node = nodeIndex[key] {
                nodeOfRecord.append(node); recordCount[Int(node)] += 1
                if newFlag { isNew[Int(node)] = true }
                continue
            }
            let node = Int32(fore.count)
            nodeIndex[key] = node
            nodeOfRecord.append(node); recordCount.append(1); isNew.append(newFlag)
            fore.append(f)
            foreC.append(given.map { id(Standardise.canonicalForename($0.forename)) } ?? PreparedData.missing)
            foreP.append(phon(f))
            mids.append(contentsOf: m); midStart.append(Int32(mids.count))
            sur.append(s); surP.append(phon(s))
            let toks = sn?.tokens ?? []
            surT1.append(toks.count > 1 ? id(toks.first) : PreparedData.missing)
            surT2.append(toks.count > 1 ? id(toks.last) : PreparedData.missing)
            dob.append(d); sex.append(sx)
            pcU.append(pcUnit); pcS.append(id(pc?.sector)); pcD.append(id(pc?.district))
            nhs.append(n); upn.append(u); pnc.append(p); local.append(l)
            pncSerial.append(id(pncText.map { "Q" + $0.split(separator: "/").last!.dropLast() }))
            localSrc.append(l >= 0 ? id("S" + scope) : PreparedData.missing)
        }
        self.keys = keys; self.agencyOfRecord = agencyOfRecord; self.agencies = agencies
        self.nodeOfRecord = nodeOfRecord; self.recordCount = recordCount; self.strings = strings
        forename = fore; forenameCanonical = foreC; forenamePhonetic = foreP; middleStart = midStart; middleTokens = mids
        surname = sur; surnamePhonetic = surP; surnameFirstToken = surT1; surnameLastToken = surT2
        self.dob = dob; self.sex = sex; postcodeUnit = pcU; postcodeSector = pcS; postcodeDistrict = pcD
        self.nhs = nhs; self.upn = upn; self.pnc = pnc; self.pncSerial = pncSerial; localID = local; localSource = localSrc; self.isNew = isNew
    }

    /// The text of an interned string.
    public func text(_ id: Int32) -> String? { id < 0 ? nil : String(decoding: strings[Int(id)], as: UTF8.self) }

    func middles(_ n: Int) -> ArraySlice<Int32> { middleTokens[Int(middleStart[n])..<Int(middleStart[n + 1])] }

    /// The records of each node, as record indices.
    public func recordsByNode() -> [[Int32]] {
        var out = [[Int32]](repeating: [], count: nodeCount)
        for (r, n) in nodeOfRecord.enumerated() { out[Int(n)].append(Int32(r)) }
        return out
    }
}
