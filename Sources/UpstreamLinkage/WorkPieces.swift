import Synchronization
import UpstreamModel

/// How linkage cuts its work: by fixed numbers, never by the worker count, so that sums taken per piece (and
/// the random u-samples, one seeded stream per piece) and so every model, score and person id are the same
/// whatever `Parallelism` runs them (`ParallelismPolicyTests`).
extension Parallelism {
    /// Pieces a stage's work is cut into (blocks of pairs, signature stripes, batches of records to standardise).
    static let linkagePieces = 64
    /// Pieces a rule's blocks are cut into for visiting their pairs, by pair count (at least 50,000 pairs a piece).
    /// More than ``linkagePieces``: pairs of equal count are not of equal cost (an EM session skips the pairs already
    /// among the candidates, and a pair of names far apart is settled by the sketches), and with 64 pieces the last
    /// piece of a session ran alone for up to a tenth of a second of the like-for-like run (session 48).
    static let linkagePairPieces = 256
    /// Seeded random streams the u-probability samples are drawn from, each a piece of work.
    static let linkageSampleStreams = 32
}


/// Hands out job numbers 0, 1, 2, … to whichever worker asks next, so workers share a list of unequal jobs
/// without one waiting for another. Which worker runs a job never changes what the job computes.
final class JobCounter: Sendable {
    private let counter = Atomic<Int>(0)
    /// The next job number.
    func next() -> Int { counter.wrappingAdd(1, ordering: .relaxed).oldValue }
}
