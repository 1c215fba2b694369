/// Hyper-parameters of `GradientBoostedTrees.train`, named after scikit-learn's `HistGradientBoostingClassifier`
/// where the two agree, so a benchmark can match them one for one.
///
/// Two choices differ from scikit-learn's defaults and are deliberate:
/// - `l2Regularization` is 1.0 (XGBoost's default), not 0: with rare outcomes a leaf of 20 rows can hold almost
///   no hessian, and λ = 1 keeps its value from exploding. Set 0 to get scikit-learn's behaviour.
/// - `maxBins` counts every bin of a feature *including* the one reserved for missing values, so the default 255
///   gives at most 254 bins of real values. scikit-learn's `max_bins=255` is `maxBins: 256` here.
public struct GBTParameters: Codable, Sendable, Hashable {
    /// Boosting rounds (trees) at most.
    public var maxIterations: Int
    /// Shrinkage applied to every leaf value.
    public var learningRate: Double
    /// Edges from the root to the deepest leaf, at most (root alone = depth 0).
    public var maxDepth: Int
    /// Leaves per tree, at most; trees grow best-first (leaf-wise) until this is reached or no split gains.
    public var maxLeafNodes: Int
    /// Training rows a leaf must keep, at least.
    public var minSamplesLeaf: Int
    /// λ in the split gain G²/(H+λ) and the leaf value −G/(H+λ).
    public var l2Regularization: Double
    /// Bins per feature including the missing-value bin, 3…256.
    public var maxBins: Int
    /// Stop when the validation log-loss has not improved by `tolerance` for `patience` rounds, and keep the trees
    /// up to the best round.
    public var earlyStopping: Bool
    /// Share of the training rows held out (stratified, seeded) for early stopping when no validation set is given.
    public var validationFraction: Double
    /// Rounds without improvement before stopping.
    public var patience: Int
    /// How much the validation log-loss must fall to count as an improvement.
    public var tolerance: Double
    /// Seeds the validation split and the binning subsample; training is deterministic for a given seed.
    public var seed: UInt64

    public init(
        maxIterations: Int = 200, learningRate: Double = 0.1, maxDepth: Int = 6, maxLeafNodes: Int = 31,
        minSamplesLeaf: Int = 20, l2Regularization: Double = 1.0, maxBins: Int = 255, earlyStopping: Bool = true,
        validationFraction: Double = 0.1, patience: Int = 10, tolerance: Double = 1e-7, seed: UInt64 = 42
    ) {
        self.maxIterations = maxIterations; self.learningRate = learningRate; self.maxDepth = maxDepth
        self.maxLeafNodes = maxLeafNodes; self.minSamplesLeaf = minSamplesLeaf
        self.l2Regularization = l2Regularization; self.maxBins = maxBins; self.earlyStopping = earlyStopping
        self.validationFraction = validationFraction; self.patience = patience; self.tolerance = tolerance
        self.seed = seed
    }

    /// Throws `TreesError.invalidParameter` for values the learner cannot honour.
    func validate() throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw TreesError.invalidParameter(message) } }
        try check(maxIterations >= 1, "maxIterations must be at least 1 (got \(maxIterations))")
        try check(learningRate > 0 && learningRate.isFinite, "learningRate must be positive (got \(learningRate))")
        try check(maxDepth >= 1, "maxDepth must be at least 1 (got \(maxDepth))")
        try check(maxLeafNodes >= 2, "maxLeafNodes must be at least 2 (got \(maxLeafNodes))")
        try check(minSamplesLeaf >= 1, "minSamplesLeaf must be at least 1 (got \(minSamplesLeaf))")
        try check(l2Regularization >= 0 && l2Regularization.isFinite, "l2Regularization must be ≥ 0 (got \(l2Regularization))")
        try check((3...256).contains(maxBins), "maxBins must be in 3…256 (got \(maxBins))")
        try check(validationFraction > 0 && validationFraction < 1, "validationFraction must be in (0, 1) (got \(validationFraction))")
        try check(patience >= 1, "patience must be at least 1 (got \(patience))")
        try check(tolerance >= 0, "tolerance must be ≥ 0 (got \(tolerance))")
    }
}
