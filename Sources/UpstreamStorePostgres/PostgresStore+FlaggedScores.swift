import PostgresNIO
import UpstreamStore

/// A scoring run's flagged young people, read without the rest of the run.
extension PostgresStore: FlaggedScoreReads {
    public func flaggedScores(run: Int64) throws -> [PersonScore] {
        try rows("SELECT \(unescaped: Self.scoreColumns) FROM scores WHERE run_id = \(run) AND flagged ORDER BY rank, person_id").map(Self.score)
    }
}
