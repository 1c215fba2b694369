/// A store that reads a scoring run's flagged young people alone, without reading (and decoding the reasons of)
/// every score of the run: the web app's queue and dashboard, on every request.
///
/// The SQLite and PostgreSQL stores conform. For a store that does not, callers filter ``PersonStore/scores(run:)``.
public protocol FlaggedScoreReads: Sendable {
    /// The flagged scores of `run`, by rank then person (as ``PersonStore/scores(run:)`` orders them).
    func flaggedScores(run: Int64) throws -> [PersonScore]
}
