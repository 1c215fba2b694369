import UpstreamModel

/// How linkage cuts its work: by fixed numbers, never by the worker count, so that sums taken per piece (and
/// the random u-samples, one seeded stream per piece) and so every model, score and person id are the same
/// whatever `Parallelism` runs them (`ParallelismPolicyTests`).
extension Parallelism {
    /// Pieces a stage's work is cut into (blocks of pairs, signature stripes, batches of records to standardise).
    static let linkagePieces = 64
    /// Seeded random streams the u-probability samples are drawn from, each a piece of work.
    static let linkageSampleStreams = 32
}
