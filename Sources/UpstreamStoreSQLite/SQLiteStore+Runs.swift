import Foundation
import GRDB
import UpstreamStore

/// Report runs in the SQLite store (migration `v7-runs`), every ``ReportRunKind`` through one save and one read. The
/// table and column names come from ``ReportRunKind``, never from input; values are bound.
extension SQLiteStore: ReportRunStore {
    public func saveReportRun(kind: ReportRunKind, values: [ReportRunValue]) throws -> Int64 {
        precondition(values.count == kind.columns.count, "\(kind.table): \(values.count) values for \(kind.columns.count) columns")
        let sql = "INSERT INTO \(kind.table) (\(kind.columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))"
        return try guarding { try writeImmediately { db in
            try db.execute(sql: sql, arguments: StatementArguments(values.map(Self.databaseValue)))
            return db.lastInsertedRowID
        } }
    }

    public func latestReportRun(kind: ReportRunKind) throws -> (id: Int64, values: [ReportRunValue])? {
        let sql = "SELECT id, \(kind.columns.joined(separator: ", ")) FROM \(kind.table) ORDER BY id DESC LIMIT 1"
        return try guarding { try db.read { db in
            try Row.fetchOne(db, sql: sql).map { row in
                (row[0] as Int64, (1...kind.columns.count).map { Self.reportRunValue(row[$0] as DatabaseValue) })
            }
        } }
    }

    static func databaseValue(_ v: ReportRunValue) -> DatabaseValue {
        switch v {
        case .integer(let i): i.databaseValue
        case .text(let t): t.databaseValue
        case .bytes(let d): d.databaseValue
        case .null: .null
        }
    }

    static func reportRunValue(_ v: DatabaseValue) -> ReportRunValue {
        switch v.storage {
        case .int64(let i): .integer(i)
        case .string(let s): .text(s)
        case .blob(let d): .bytes(d)
        case .null: .null
        case .double(let d): Int64(exactly: d).map { .integer($0) } ?? .null
        }
    }
}
