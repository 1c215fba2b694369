import Foundation
import UpstreamIngest
import UpstreamModel
import UpstreamStore

/// A fresh temporary folder for one test.
func temporaryDirectory(_ label: String = "ingest") -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes bytes to a new temporary file and returns its path.
func writeFile(_ bytes: [UInt8], name: String = "extract.csv", in dir: String = temporaryDirectory()) -> String {
    let path = dir + "/" + name
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

func writeFile(_ text: String, name: String = "extract.csv", in dir: String = temporaryDirectory()) -> String {
    writeFile(Array(text.utf8), name: name, in: dir)
}

/// 2024-06-01 00:00 UTC.
let loadTime: Int64 = 1_717_200_000

/// A small person-level spec used by the validation tests.
let custodySpecYAML = """
    source: custody
    agency: police
    owner: Test force
    legal_basis: Test basis
    retention: { years: 6 }
    record_id: ID
    identity:
      surname: Surname
      forename: Forename
      date_of_birth: { column: DOB, format: DD/MM/YYYY }
      sex:
        column: Sex
        map: { M: M, F: F, U: null }
      nhs_number: NHS
    event:
      kind: custody
      date: { column: ArrestDate, format: "DD/MM/YYYY HH:MM" }
      role: suspect
      flags: Flags
    required: [Surname]
    """

let custodyHeader = "ID,Surname,Forename,DOB,Sex,NHS,ArrestDate,Flags\n"

func custodySpec(_ yaml: String = custodySpecYAML) throws -> SourceSpec { try SpecLoader.parse(yaml: yaml, path: "custody.yaml") }

/// Loads `text` under the custody spec into a fresh in-memory store.
func load(_ text: String, spec: SourceSpec? = nil, store: (any RecordStore)? = nil) throws -> (FileReport, any RecordStore) {
    try load(Array(text.utf8), spec: spec, store: store)
}

func load(_ bytes: [UInt8], spec: SourceSpec? = nil, store: (any RecordStore)? = nil, name: String = "extract.csv") throws -> (FileReport, any RecordStore) {
    let s = store ?? InMemoryStore()
    let path = writeFile(bytes, name: name)
    let report = try Ingestor(store: s, loadedAt: loadTime).ingest(path: path, spec: try spec ?? custodySpec())
    return (report, s)
}
