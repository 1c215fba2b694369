import Foundation
import GRDB
import Testing
import UpstreamModel
import UpstreamStore
@testable import UpstreamStoreSQLite

/// A linkage run's save in SQLite runs with foreign-key enforcement off (``SQLiteStore/writeImmediatelyTrustingReferences(_:)``):
/// the references it writes must still hold, and enforcement must be on again after it, whether it committed or threw.
@Suite struct LinkageSaveTests {
    func foreignKeys(_ store: SQLiteStore) throws -> (enforced: Bool, broken: Int) {
        try store.db.read { db in
            (try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false,
             try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count)
        }
    }

    @Test func theSavedReferencesHoldAndEnforcementComesBack() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("save-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try SQLiteStore(path: path)
        try loadRecords(store, [("R1", nil, true), ("R2", nil, true), ("R3", nil, true)])
        #expect(try foreignKeys(store) == (true, 0))
        // Two runs: the second replaces the first's persons and assignments (the deletes truncate both tables).
        _ = try store.saveLinkageRun(run(2, records: 3), assignments: assign([("R1", "PA"), ("R2", "PA"), ("R3", "PB")]), pseudonym: yp)
        let second = try store.saveLinkageRun(run(2, records: 3), assignments: assign([("R1", "PC"), ("R2", "PD"), ("R3", "PD")]),
                                              pseudonym: yp)
        #expect(try foreignKeys(store) == (true, 0))
        #expect(try store.person(of: key("R1")) == PersonID("PC"))
        #expect(try store.person(pseudonym: "YP-PA") == nil)
        #expect(try store.person(pseudonym: "YP-PD")?.records == 2)

        // A save that fails inside its transaction (a probability SQLite's CHECK refuses) changes nothing and
        // leaves enforcement on.
        #expect(throws: DatabaseError.self) {
            _ = try store.saveLinkageRun(run(1, records: 3), assignments: assign([("R1", "PE"), ("R2", "PE"), ("R3", "PE")], probability: 2),
                                         pseudonym: yp)
        }
        #expect(try store.linkageRuns().last == second)
        #expect(try store.person(of: key("R3")) == PersonID("PD"))
        #expect(try foreignKeys(store) == (true, 0))
        // Enforced again: an assignment to a person that does not exist is refused.
        #expect(throws: DatabaseError.self) {
            try store.db.write { db in
                try db.execute(sql: "INSERT INTO assignments (source, record_id, person_id) VALUES ('police_custody', 'R9', 'NOBODY')")
            }
        }
    }
}
