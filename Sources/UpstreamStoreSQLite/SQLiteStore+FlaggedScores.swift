import GRDB
import UpstreamStore

/// A scoring run's flagged young people, read without the rest of the run.
extension SQLiteStore: FlaggedScoreReads {
    public func flaggedScores(run: Int64) throws -> [PersonScore] {
        try guarding { try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM scores WHERE run_id = ? AND flagged = 1 ORDER BY rank, person_id"), arguments: [run])
                .map(Self.score)
        } }
    }
}
