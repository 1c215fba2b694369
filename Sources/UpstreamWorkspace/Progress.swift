import Foundation

/// The estimate of one stage's time left, from the rate of work so far: pure arithmetic on (time, units done) pairs.
///
/// The rate is an exponentially weighted average of the rate between successive updates, weighted by time: an
/// interval of `dt` seconds moves the average towards its own rate by `1 - 2^(-dt / halfLife)`, so what happened
/// `halfLife` seconds ago counts half as much as what happens now, however often updates come. The first interval
/// sets the average outright. Time left is the units still to do over that rate, and none is given until at least
/// `minimumFraction` of the total is done *and* `minimumSeconds` have passed (before that the rate means little).
/// A stage whose total is unknown gets a rate but never a time left.
public struct ProgressEstimator: Sendable, Equatable {
    /// Units of work in the stage, when known.
    public var total: Int?
    /// When the stage began (seconds on the tracker's clock).
    public var start: Double
    /// Units done at the last update.
    public private(set) var done: Int = 0
    /// The time of the last update.
    public private(set) var last: Double
    /// The smoothed rate, units a second; nil before any time has passed.
    public private(set) var rate: Double?
    /// Seconds after which an older interval's rate counts half.
    public var halfLife: Double
    /// The share of the total that must be done before a time left is given.
    public var minimumFraction: Double
    /// The seconds that must pass before a time left is given.
    public var minimumSeconds: Double

    /// The defaults of every command: a 10-second half-life; an estimate after 2% of the work and 1 second.
    public init(total: Int?, start: Double, halfLife: Double = 10, minimumFraction: Double = 0.02, minimumSeconds: Double = 1) {
        self.total = total; self.start = start; self.last = start
        self.halfLife = halfLife; self.minimumFraction = minimumFraction; self.minimumSeconds = minimumSeconds
    }

    /// Records that `done` units are done at time `now`. An update with no time passed (or time going backwards)
    /// only moves the count; the rate waits for the next interval.
    public mutating func update(done newDone: Int, at now: Double) {
        let dt = now - last
        guard dt > 0 else { done = max(done, newDone); return }
        let instant = Double(max(newDone - done, 0)) / dt
        if let r = rate {
            let alpha = 1 - pow(2, -dt / halfLife)
            rate = r + alpha * (instant - r)
        } else {
            rate = instant
        }
        done = max(done, newDone); last = now
    }

    /// The share of the total done (0…1), when the total is known and not zero.
    public var fraction: Double? {
        guard let total, total > 0 else { return nil }
        return min(1, Double(done) / Double(total))
    }

    /// Seconds since the stage began, as of the last update.
    public var elapsed: Double { max(0, last - start) }

    /// Seconds left at the smoothed rate, or nil: when the total is unknown, too little is done, too little time has
    /// passed, or nothing has been done yet (rate zero).
    public var secondsLeft: Double? {
        guard let total, let fraction, let rate, rate > 0 else { return nil }
        guard fraction >= minimumFraction, elapsed >= minimumSeconds else { return nil }
        return Double(max(total - done, 0)) / rate
    }
}

/// How a command's stages share its work, for the overall estimate: each stage's weight is its expected share of
/// the run's time (any positive numbers; only their ratios matter). The weights are chosen from a measured stage
/// clock (see `ProgressPlan.link`) or from a stage's known size (ingest weighs each file by its bytes).
public struct ProgressPlan: Sendable, Equatable {
    /// The stages in order, with their weights.
    public var stages: [(name: String, weight: Double)]

    public init(_ stages: [(String, Double)]) { self.stages = stages.map { (name: $0.0, weight: max(0, $0.1)) } }

    public static func == (a: ProgressPlan, b: ProgressPlan) -> Bool {
        a.stages.map(\.name) == b.stages.map(\.name) && a.stages.map(\.weight) == b.stages.map(\.weight)
    }

    /// The index of a stage by name.
    public func index(of stage: String) -> Int? { stages.firstIndex { $0.name == stage } }

    /// The share of the whole run done (0…1) when stage `index` is `stageFraction` done (0 when its total is
    /// unknown) and every stage before it is finished. Nil when the plan's weights add up to nothing.
    public func fraction(stage index: Int, stageFraction: Double) -> Double? {
        let sum = stages.reduce(0) { $0 + $1.weight }
        guard sum > 0, index >= 0, index < stages.count else { return nil }
        let before = stages[..<index].reduce(0) { $0 + $1.weight }
        return min(1, (before + stages[index].weight * min(max(stageFraction, 0), 1)) / sum)
    }

    /// How far through stage `index` a stage that counts no units probably is: its time so far over the time its
    /// weight should take at the pace of the stages before it (`elapsedBefore` seconds for their weights), at most
    /// 0.99 (a stage that overruns holds the estimate up instead of claiming to be done). 0 for the first stage.
    public func timeFraction(stage index: Int, stageElapsed: Double, elapsedBefore: Double) -> Double {
        guard index > 0, index < stages.count else { return 0 }
        let before = stages[..<index].reduce(0) { $0 + $1.weight }
        guard before > 0, elapsedBefore > 0, stages[index].weight > 0 else { return 0 }
        let expected = stages[index].weight * elapsedBefore / before
        return min(0.99, max(0, stageElapsed) / expected)
    }

    /// The whole run's time left: the time so far stretched to the share still to do,
    /// `elapsed × (1 − fraction) / fraction`, once `fraction` and `elapsed` pass the thresholds; else nil.
    public static func secondsLeft(fraction: Double, elapsed: Double, minimumFraction: Double = 0.02, minimumSeconds: Double = 1) -> Double? {
        guard fraction >= minimumFraction, fraction > 0, elapsed >= minimumSeconds else { return nil }
        return elapsed * (1 - fraction) / fraction
    }

    /// `upstream link`'s stages, weighted by the stage clock of the 500,000-person run in Benchmarks/force-scale.md
    /// (seconds: read 58, standardise 121, block 9, compare 81, train 34, score 56, cluster 7, assign ids 11,
    /// review 4, save 103). A store's link now standardises while it reads (session 9), so "read" carries both and
    /// "standardise" only the last batch's finish; a link of CSV files still reads first, and its estimate is early
    /// in the read and late in the standardising. A smaller city spends its time in much the same shares.
    public static let link = ProgressPlan([
        ("read", 170), ("standardise", 9), ("block", 9), ("compare", 81), ("train", 34), ("score", 56),
        ("cluster", 7), ("assign_ids", 11), ("review", 4), ("save", 103),
    ])
}

extension ProgressPlan {
    /// `upstream synth`'s stages, weighted by the seconds its own stages took on a 20,000-person city (debug build,
    /// `UPSTREAM_PROGRESS=plain:0`): population 7 (with the workers' set-up), life courses 14, recorded crime 3,
    /// writing files 1.
    public static let synth = ProgressPlan([("population", 7), ("life courses", 14), ("recorded crime", 3), ("writing files", 1)])
}

extension ProgressPlan {
    /// `upstream risk train`'s stages (the streaming path), weighted by the seconds each took at 3,000,000 people
    /// (release build, session 31's run, each record's person found by a merge: read 90, features 44, cohorts 1,
    /// trees 16, logistic regression 8, calibration 127, save 1), divided by ten and rounded up. (Session 26's run I:
    /// read 207, features 85, cohorts 2, trees 41, logistic regression 22, calibration 326, save 1.) A run with
    /// `--truth` adds a truth stage, outside the plan (no overall estimate then).
    public static let riskTrain = ProgressPlan([
        ("read", 9), ("features", 5), ("cohorts", 1), ("trees", 2), ("logistic regression", 1), ("calibration", 13), ("save", 1),
    ])

    /// `upstream risk score`'s stages, weighted by the seconds each took at 3,000,000 people (release build, one date,
    /// session 31's run S2, each record's person found by a merge: read 78, features 16, scoring 6, reasons 1, save 3),
    /// divided by ten and rounded up. (Session 26's run H, each record's person looked up: read 222, features 31,
    /// scoring 15, reasons 1, save 15.)
    public static let riskScore = ProgressPlan([("read", 8), ("features", 2), ("scoring", 1), ("reasons", 1), ("save", 1)])
}

/// What a progress display shows at one moment: pure data, rendered by `ProgressLine`.
public struct ProgressSnapshot: Sendable, Equatable {
    /// Why the snapshot was taken.
    public enum Event: String, Sendable { case begin, update, finish }
    /// The command (`ingest`, `link`, …).
    public var command: String
    /// The stage (a file's name, a linkage stage, …).
    public var stage: String
    /// The stage's position in the plan (1-based) and the plan's length, when the command has a plan.
    public var position: (index: Int, count: Int)?
    /// What the units are (`rows`, `bytes`, `people`, `dates`); empty when only a percentage is meaningful.
    public var unit: String
    public var done: Int
    public var total: Int?
    /// Seconds in this stage so far.
    public var elapsed: Double
    /// Units a second, smoothed.
    public var rate: Double?
    /// The stage's time left, once there is enough to go on.
    public var secondsLeft: Double?
    /// The share of the whole command done, when it has a plan.
    public var overallFraction: Double?
    /// The whole command's time left, once there is enough to go on.
    public var overallSecondsLeft: Double?
    public var event: Event

    public init(command: String, stage: String, position: (index: Int, count: Int)? = nil, unit: String = "", done: Int = 0, total: Int? = nil,
                elapsed: Double = 0, rate: Double? = nil, secondsLeft: Double? = nil, overallFraction: Double? = nil,
                overallSecondsLeft: Double? = nil, event: Event = .update) {
        self.command = command; self.stage = stage; self.position = position; self.unit = unit; self.done = done; self.total = total
        self.elapsed = elapsed; self.rate = rate; self.secondsLeft = secondsLeft; self.overallFraction = overallFraction
        self.overallSecondsLeft = overallSecondsLeft; self.event = event
    }

    public static func == (a: ProgressSnapshot, b: ProgressSnapshot) -> Bool {
        a.command == b.command && a.stage == b.stage && a.position?.index == b.position?.index && a.position?.count == b.position?.count
            && a.unit == b.unit && a.done == b.done && a.total == b.total && a.elapsed == b.elapsed && a.rate == b.rate
            && a.secondsLeft == b.secondsLeft && a.overallFraction == b.overallFraction && a.overallSecondsLeft == b.overallSecondsLeft
            && a.event == b.event
    }
}

/// A command's progress through its stages: the use case says when a stage begins, how much of it is done and when
/// it finishes; the tracker keeps the estimates and hands a snapshot to its sink at a stage's beginning and end and
/// at most once every `interval` seconds between (so a display redraws at most ~5 times a second however often
/// work is reported). Safe to call from several threads.
public final class ProgressTracker: @unchecked Sendable {
    /// Seconds on a monotonic clock.
    public static let monotonic: @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    public let command: String
    public let plan: ProgressPlan?
    let clock: @Sendable () -> Double
    let interval: Double
    let sink: @Sendable (ProgressSnapshot) -> Void
    let lock = NSLock()
    let started: Double
    var stage: String?
    var unit = ""
    var estimator: ProgressEstimator?
    var pending = 0
    var lastEmit = -Double.infinity
    /// Stages run that are not in the plan get no overall estimate; the plan index of the current stage.
    var planIndex: Int?

    public init(command: String, plan: ProgressPlan? = nil, clock: @escaping @Sendable () -> Double = ProgressTracker.monotonic,
                interval: Double = 0.2, sink: @escaping @Sendable (ProgressSnapshot) -> Void) {
        self.command = command; self.plan = plan; self.clock = clock; self.interval = interval; self.sink = sink
        self.started = clock()
    }

    var timer: (any DispatchSourceTimer)?

    deinit { timer?.cancel() }

    /// Takes a snapshot every `seconds` even when no work is reported, so that a stage that reports nothing
    /// within itself (link's stages) still shows its time so far and the run's time left.
    public func heartbeat(every seconds: Double) {
        let t = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        t.schedule(deadline: .now() + seconds, repeating: seconds)
        t.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.lock(); defer { self.lock.unlock() }
            self.maybeEmitLocked()
        }
        lock.lock(); timer?.cancel(); timer = t; lock.unlock()
        t.resume()
    }

    /// Finishes the stage under way (if any) and begins `name`, of `total` units when known.
    public func begin(_ name: String, total: Int? = nil, unit: String = "") {
        lock.lock(); defer { lock.unlock() }
        beginLocked(name, total: total, unit: unit)
    }

    /// Sets the units done in stage `name`, first beginning it (and finishing the one before) when it is not the
    /// current stage: for work that reports from several threads with the stage's name each time.
    public func report(_ name: String, done: Int, total: Int? = nil, unit: String = "") {
        lock.lock(); defer { lock.unlock() }
        if stage != name { beginLocked(name, total: total, unit: unit) }
        else if let total, estimator?.total == nil { estimator!.total = total; self.unit = unit }  // the size, once known
        pending = max(pending, done)
        maybeEmitLocked()
    }

    /// Sets the current stage's total to what was done, once its end is known: a stage begun with an estimate (a
    /// store's records counted from its largest id) then finishes with its real size, not the estimate.
    public func settle() {
        lock.lock(); defer { lock.unlock() }
        guard estimator != nil else { return }
        estimator!.total = pending
    }

    /// Sets the units done in the current stage (a count that only grows).
    public func update(done: Int) {
        lock.lock(); defer { lock.unlock() }
        pending = max(pending, done)
        maybeEmitLocked()
    }

    /// Adds `units` to the units done in the current stage.
    public func advance(by units: Int = 1) {
        lock.lock(); defer { lock.unlock() }
        pending += units
        maybeEmitLocked()
    }

    /// Finishes the current stage (its snapshot shows everything done when its total was known).
    public func finish() {
        lock.lock(); defer { lock.unlock() }
        finishLocked()
    }

    // The sink is called under the lock, so snapshots arrive in order; it must not call back into the tracker.
    func beginLocked(_ name: String, total: Int?, unit: String) {
        finishLocked()
        let now = clock()
        stage = name; self.unit = unit; pending = 0
        estimator = ProgressEstimator(total: total, start: now)
        planIndex = plan?.index(of: name)
        lastEmit = now
        sink(snapshotLocked(.begin))
    }

    func maybeEmitLocked() {
        guard estimator != nil else { return }
        let now = clock()
        guard now - lastEmit >= interval else { return }
        lastEmit = now
        estimator!.update(done: pending, at: now)
        sink(snapshotLocked(.update))
    }

    func finishLocked() {
        guard estimator != nil else { return }
        if let total = estimator!.total { pending = max(pending, total) }
        estimator!.update(done: pending, at: clock())
        let s = snapshotLocked(.finish)
        estimator = nil; stage = nil; planIndex = nil
        sink(s)
    }

    func snapshotLocked(_ event: ProgressSnapshot.Event) -> ProgressSnapshot {
        let e = estimator!
        // A finished stage shows its average rate (the smoothed one weighs the last seconds most, 10-second
        // half-life: a read that sped up at its end claimed 65,297 records/s for 26.5 million records in 502 s).
        let rate = event == .begin ? nil : event == .finish && e.elapsed > 0 && e.done > 0 ? Double(e.done) / e.elapsed : e.rate
        var s = ProgressSnapshot(command: command, stage: stage ?? "", unit: unit, done: event == .begin ? 0 : e.done, total: e.total,
                                 elapsed: e.elapsed, rate: rate, secondsLeft: event == .update ? e.secondsLeft : nil,
                                 event: event)
        if let plan, let i = planIndex {
            s.position = (i + 1, plan.stages.count)
            let stageFraction = event == .finish ? 1 : (e.fraction ?? plan.timeFraction(stage: i, stageElapsed: e.elapsed, elapsedBefore: e.start - started))
            if let f = plan.fraction(stage: i, stageFraction: stageFraction) {
                s.overallFraction = f
                if event != .finish { s.overallSecondsLeft = ProgressPlan.secondsLeft(fraction: f, elapsed: e.last - started) }
            }
        }
        return s
    }
}

extension Messages {
    /// A tracker of `command`'s stages that shows its snapshots through `update`.
    /// It takes a snapshot at least once a second (see `ProgressTracker.heartbeat`).
    public func tracker(_ command: String, plan: ProgressPlan? = nil) -> ProgressTracker {
        let t = ProgressTracker(command: command, plan: plan, sink: update)
        t.heartbeat(every: 1)
        return t
    }
}

/// `upstream risk train`'s stages, read from the notes the risk model's training already writes (so the training
/// code needs no progress parameter of its own): the feature chunks, the cohort of each date, then each model.
public enum RiskTrainStages {
    /// The stage a note moves to, with units done and total when the note says them; nil for a note that is not a
    /// stage. `dates` is how many train and test dates the run builds cohorts for.
    public static func stage(of note: String, dates: Int) -> (stage: String, done: Int?, total: Int?, unit: String)? {
        if note.hasPrefix("features: chunk ") {
            // "features: chunk 3 of 8, 1,234 rows so far"
            let words = note.dropFirst("features: chunk ".count).split(separator: " ")
            if words.count >= 3, let c = Int(words[0]), let n = Int(words[2].trimmingCharacters(in: CharacterSet(charactersIn: ","))) {
                return ("features", c, n, "chunks")
            }
            return nil
        }
        if note.hasPrefix("features: ") { return ("features", nil, nil, "") }
        if note.hasPrefix("as of ") || note.hasPrefix("linked as of ") { return ("cohorts", nil, dates, "dates") }
        if note.hasPrefix("training gradient-boosted trees") { return ("trees", nil, nil, "") }
        if note.hasPrefix("trees: ") { return ("logistic regression", nil, nil, "") }
        if note.hasPrefix("calibrating") { return ("calibration", nil, nil, "") }
        if note.hasPrefix("evaluating on the city's true persons") { return ("truth", nil, nil, "") }
        return nil
    }

    /// A risk note's effect on `tracker`: a note naming a stage begins it (once) and moves its count; a cohort's
    /// note counts one date more.
    public static func track(_ note: String, dates: Int, on tracker: ProgressTracker) {
        guard let s = stage(of: note, dates: dates) else { return }
        if s.stage == "cohorts" {
            tracker.report(s.stage, done: 0, total: s.total, unit: s.unit)
            tracker.advance(by: 1)
        } else {
            tracker.report(s.stage, done: s.done ?? 0, total: s.total, unit: s.unit)
        }
    }
}
