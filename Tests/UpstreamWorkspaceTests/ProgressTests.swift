import Foundation
import Testing
import UpstreamWorkspace

/// A clock the test moves by hand.
final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var t: Double
    init(_ t: Double = 0) { self.t = t }
    var now: Double { lock.lock(); defer { lock.unlock() }; return t }
    func set(_ v: Double) { lock.lock(); t = v; lock.unlock() }
}

/// Collects a tracker's snapshots.
final class Sink: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ProgressSnapshot] = []
    var all: [ProgressSnapshot] { lock.lock(); defer { lock.unlock() }; return items }
    func add(_ s: ProgressSnapshot) { lock.lock(); items.append(s); lock.unlock() }
}

@Suite("progress: the estimate of time left")
struct ProgressEstimatorTests {
    @Test("the rate is an exponentially weighted average by time, and time left is what remains over it (hand-computed)")
    func handComputed() throws {
        var e = ProgressEstimator(total: 100, start: 0)
        e.update(done: 20, at: 10)
        // First interval: 20 units in 10 s, rate 2; 80 left / 2 = 40 s.
        #expect(e.rate == 2)
        #expect(e.secondsLeft == 40)
        e.update(done: 30, at: 20)
        // 10 units in 10 s = 1/s; one half-life passed, so the average moves half way: 2 + 0.5 × (1 − 2) = 1.5.
        #expect(e.rate == 1.5)
        let left = try #require(e.secondsLeft)
        #expect(abs(left - 70 / 1.5) < 1e-9)
        #expect(e.fraction == 0.3)
        #expect(e.elapsed == 20)
    }

    @Test("no estimate before 2% of the work and 1 second; then one")
    func threshold() {
        var e = ProgressEstimator(total: 1000, start: 0)
        e.update(done: 100, at: 0.5)  // 10% done but only half a second
        #expect(e.rate == 200)
        #expect(e.secondsLeft == nil)
        var f = ProgressEstimator(total: 1000, start: 0)
        f.update(done: 10, at: 5)  // 5 s but only 1% done
        #expect(f.secondsLeft == nil)
        f.update(done: 20, at: 10)  // 2% at 10 s, steady 2 units a second: 980 / 2 = 490 s
        #expect(f.rate == 2)
        #expect(f.secondsLeft == 490)
    }

    @Test("at a steady rate the estimate only falls, and is exactly the work left over the rate")
    func monotoneWhenSteady() throws {
        var e = ProgressEstimator(total: 1000, start: 0)
        var previous = Double.infinity
        var seen = 0
        for i in 1...200 {
            e.update(done: i * 5, at: Double(i) / 2)  // 10 units a second, every half second
            guard let left = e.secondsLeft else { continue }
            seen += 1
            #expect(left <= previous, "rose at step \(i): \(previous) → \(left)")
            #expect(left == Double(1000 - i * 5) / 10)
            previous = left
        }
        #expect(seen == 197)  // from 2% done (20 units, 2 s) on
        #expect(e.secondsLeft == 0)
    }

    @Test("no division by zero: a total of zero, no time passing, no work done, an unknown total")
    func degenerate() {
        var zero = ProgressEstimator(total: 0, start: 0)
        zero.update(done: 0, at: 5)
        #expect(zero.fraction == nil)
        #expect(zero.secondsLeft == nil)
        var still = ProgressEstimator(total: 100, start: 3)
        still.update(done: 50, at: 3)  // no time has passed: the count moves, the rate waits
        #expect(still.done == 50)
        #expect(still.rate == nil)
        #expect(still.secondsLeft == nil)
        var idle = ProgressEstimator(total: 100, start: 0)
        idle.update(done: 0, at: 10)
        #expect(idle.rate == 0)
        #expect(idle.secondsLeft == nil)
        var open = ProgressEstimator(total: nil, start: 0)
        open.update(done: 500, at: 10)
        #expect(open.rate == 50)
        #expect(open.fraction == nil)
        #expect(open.secondsLeft == nil)
        var back = ProgressEstimator(total: 100, start: 10)
        back.update(done: 10, at: 9)  // a clock going backwards changes nothing but the count
        #expect(back.rate == nil)
    }
}

@Suite("progress: stages and their weights")
struct ProgressPlanTests {
    @Test("the overall share weighs each stage by its measured time (link's stage clock at 1,000,000 people)")
    func linkWeights() throws {
        let plan = ProgressPlan.link
        let compare = try #require(plan.index(of: "compare"))
        // read 170 + standardise 9 + block 9 done, compare (81) half done, of 484 in all.
        let f = try #require(plan.fraction(stage: compare, stageFraction: 0.5))
        #expect(abs(f - (170 + 9 + 9 + 40.5) / 484) < 1e-12)
        #expect(plan.fraction(stage: 0, stageFraction: 0) == 0)
        #expect(plan.fraction(stage: plan.stages.count - 1, stageFraction: 1) == 1)
        #expect(ProgressPlan([("a", 0)]).fraction(stage: 0, stageFraction: 0.5) == nil)
    }

    @Test("risk train's plan: the read (which builds the compact records) weighs over a quarter of the run, the calibration two fifths; every stage a note names is in it")
    func riskTrainWeights() throws {
        let plan = ProgressPlan.riskTrain
        // Measured at 3,000,000 people (session 31), seconds divided by ten and rounded up: read 9, features 5,
        // cohorts 1, trees 2, logistic regression 1, calibration 13, save 1 — 32 in all.
        let features = try #require(plan.index(of: "features"))
        let afterRead = try #require(plan.fraction(stage: features, stageFraction: 0))
        #expect(abs(afterRead - 9.0 / 32) < 1e-12)
        let calibration = try #require(plan.index(of: "calibration"))
        let halfCalibrated = try #require(plan.fraction(stage: calibration, stageFraction: 0.5))
        let expected: Double = (9 + 5 + 1 + 2 + 1 + 6.5) / 32
        #expect(abs(halfCalibrated - expected) < 1e-12)
        // The stages the training's notes move to (RiskTrainStages), besides read and save, in the order they come.
        let notes = ["features: chunk 1 of 2, 10 rows so far", "as of 2020-01-01", "training gradient-boosted trees", "trees: done", "calibrating"]
        let named = notes.compactMap { RiskTrainStages.stage(of: $0, dates: 13)?.stage }
        #expect(named == ["features", "cohorts", "trees", "logistic regression", "calibration"])
        #expect(plan.stages.map(\.name) == ["read"] + named + ["save"])
    }

    @Test("the overall time left stretches the time so far to the share still to do, after the thresholds")
    func overallLeft() {
        #expect(ProgressPlan.secondsLeft(fraction: 0.25, elapsed: 30) == 90)
        #expect(ProgressPlan.secondsLeft(fraction: 0.01, elapsed: 30) == nil)
        #expect(ProgressPlan.secondsLeft(fraction: 0.5, elapsed: 0.5) == nil)
        #expect(ProgressPlan.secondsLeft(fraction: 1, elapsed: 30) == 0)
    }
}

@Suite("progress: the tracker")
struct ProgressTrackerTests {
    @Test("snapshots at each stage's beginning and end, and at most one an interval between however often work is reported")
    func throttled() {
        let clock = FakeClock(), sink = Sink()
        let tracker = ProgressTracker(command: "ingest", clock: { clock.now }, interval: 0.25, sink: { sink.add($0) })
        tracker.begin("a.csv", total: 1280, unit: "rows")
        for i in 1...128 {
            clock.set(Double(i) / 64)  // a report every 1/64 s for two seconds
            tracker.update(done: i * 10)
        }
        tracker.finish()
        let events = sink.all.map(\.event)
        #expect(events.first == .begin)
        #expect(events.last == .finish)
        let updates = sink.all.filter { $0.event == .update }
        #expect(updates.map(\.done) == [160, 320, 480, 640, 800, 960, 1120, 1280])  // every 0.25 s
        #expect(sink.all.last?.done == 1280)
    }

    @Test("a stage begun with an estimated total finishes with what was done, at its average rate")
    func settledEstimate() {
        let clock = FakeClock(), sink = Sink()
        let tracker = ProgressTracker(command: "link", clock: { clock.now }, interval: 0.25, sink: { sink.add($0) })
        // The read expects 1,000 records (a store's largest id) and finds 600; the last second was the fastest.
        tracker.report("read", done: 0, total: 1_000, unit: "records")
        clock.set(9); tracker.update(done: 300)
        clock.set(10); tracker.update(done: 600)
        tracker.settle()
        tracker.finish()
        let end = sink.all.last!
        #expect(end.event == .finish && end.done == 600 && end.total == 600)
        #expect(end.rate == 60)  // 600 records in 10 s, not the last interval's 300 a second
        #expect(ProgressLine.render(end, bar: false) == "link read: done in 10 s (600 records, 60 records/s)")
    }

    @Test("a two-stage plan: the overall share and time left are hand-computed")
    func overall() throws {
        let clock = FakeClock(100), sink = Sink()
        let tracker = ProgressTracker(command: "x", plan: ProgressPlan([("a", 1), ("b", 3)]), clock: { clock.now }, sink: { sink.add($0) })
        tracker.begin("a", total: 10, unit: "rows")
        clock.set(102)
        tracker.update(done: 10)
        tracker.begin("b", total: 100, unit: "rows")  // finishes a: a quarter of the run, in 2 s
        let finishedA = try #require(sink.all.first { $0.event == .finish && $0.stage == "a" })
        #expect(finishedA.overallFraction == 0.25)
        #expect(finishedA.position?.index == 1)
        #expect(finishedA.position?.count == 2)
        clock.set(105)
        tracker.update(done: 50)
        let last = try #require(sink.all.last)
        // b is half done: (1 + 3 × 0.5) / 4 = 0.625 of the run in 5 s; 5 × 0.375 / 0.625 = 3 s left.
        #expect(last.overallFraction == 0.625)
        let left = try #require(last.overallSecondsLeft)
        #expect(abs(left - 3) < 1e-9)
        // b's own estimate: 50 rows in 3 s, 50 to go at 50/3 rows a second = 3 s.
        let stageLeft = try #require(last.secondsLeft)
        #expect(abs(stageLeft - 3) < 1e-9)
        #expect(last.position?.index == 2)
    }

    @Test("a stage that counts nothing moves the overall share by its time against the pace of the stages before it")
    func stageWithoutUnits() throws {
        let clock = FakeClock(0), sink = Sink()
        let tracker = ProgressTracker(command: "link", plan: ProgressPlan([("a", 1), ("b", 3)]), clock: { clock.now }, sink: { sink.add($0) })
        tracker.begin("a")
        clock.set(2)
        tracker.begin("b")  // a (weight 1) took 2 s, so b (weight 3) should take about 6 s
        clock.set(5)
        tracker.update(done: 0)
        let last = try #require(sink.all.last)
        // 3 s of b's 6 s: (1 + 3 × 0.5) / 4 = 0.625 of the run in 5 s; 5 × 0.375 / 0.625 = 3 s left.
        #expect(last.overallFraction == 0.625)
        #expect(abs((last.overallSecondsLeft ?? -1) - 3) < 1e-9)
        #expect(last.secondsLeft == nil)
        #expect(ProgressLine.render(last, bar: false) == "link 2/2 b: 3 s so far; all 62% done, about 3 s left")
        // An overrun stops at 99% of its weight rather than claiming the stage is done.
        #expect(ProgressPlan([("a", 1), ("b", 3)]).timeFraction(stage: 1, stageElapsed: 60, elapsedBefore: 2) == 0.99)
        #expect(ProgressPlan([("a", 1), ("b", 3)]).timeFraction(stage: 0, stageElapsed: 60, elapsedBefore: 0) == 0)
    }

    @Test("a heartbeat shows a stage that reports nothing")
    func heartbeat() throws {
        let sink = Sink()
        let tracker = ProgressTracker(command: "link", interval: 0.05, sink: { sink.add($0) })
        tracker.heartbeat(every: 0.05)
        tracker.begin("compare")
        let deadline = Date().addingTimeInterval(10)
        while sink.all.filter({ $0.event == .update }).isEmpty && Date() < deadline { usleep(20_000) }
        tracker.finish()
        #expect(sink.all.contains { $0.event == .update && $0.stage == "compare" })
    }

    @Test("a stage reported by name from several threads begins once")
    func reportFromThreads() {
        let sink = Sink()
        let tracker = ProgressTracker(command: "synth", sink: { sink.add($0) })
        DispatchQueue.concurrentPerform(iterations: 64) { i in tracker.report("life courses", done: i, total: 64, unit: "people") }
        tracker.finish()
        #expect(sink.all.filter { $0.event == .begin }.count == 1)
        #expect(sink.all.filter { $0.event == .finish }.count == 1)
    }
}

@Suite("progress: the rendered line")
struct ProgressLineTests {
    @Test("a bar and a plain line for the same snapshot (hand-written)")
    func bothForms() {
        let s = ProgressSnapshot(command: "link", stage: "compare", position: (4, 10), unit: "pairs", done: 1000, total: 4000, elapsed: 10,
                                 rate: 100, secondsLeft: 30, overallFraction: 0.4, overallSecondsLeft: 150, event: .update)
        #expect(ProgressLine.render(s, bar: true)
                == "link 4/10 compare [#####---------------] 25% 1,000/4,000 pairs, 100 pairs/s, 30 s left · all 40%, 2 min 30 s left")
        #expect(ProgressLine.render(s, bar: false)
                == "link 4/10 compare: 25% (1,000 of 4,000 pairs), 100 pairs/s, about 30 s left; all 40% done, about 2 min 30 s left")
    }

    @Test("a stage of unknown total shows a count, a rate and the time so far; bytes show in MB")
    func unknownTotalAndBytes() {
        let open = ProgressSnapshot(command: "risk train", stage: "read", unit: "records", done: 1_234_567, elapsed: 61, rate: 20238.8)
        #expect(ProgressLine.render(open, bar: false) == "risk train read: 1,234,567 records, 20,239 records/s, 1 min 1 s so far")
        let bytes = ProgressSnapshot(command: "ingest", stage: "a.csv", unit: "bytes", done: 12_300_000, total: 49_200_000, elapsed: 2,
                                     rate: 6_160_000, event: .update)
        #expect(ProgressLine.render(bytes, bar: false) == "ingest a.csv: 25% (12.3 of 49.2 MB), 6.2 MB/s")
    }

    @Test("beginning and end of a stage")
    func beginAndFinish() {
        let begin = ProgressSnapshot(command: "ingest", stage: "a.csv", position: (1, 3), unit: "bytes", total: 2_000_000, event: .begin)
        #expect(ProgressLine.render(begin, bar: false) == "ingest 1/3 a.csv: started (2.0 MB)")
        let end = ProgressSnapshot(command: "ingest", stage: "a.csv", position: (1, 3), unit: "bytes", done: 2_000_000, total: 2_000_000,
                                   elapsed: 4.2, rate: 476_190, overallFraction: 0.5, event: .finish)
        #expect(ProgressLine.render(end, bar: false) == "ingest 1/3 a.csv: done in 5 s (2.0 MB, 0.5 MB/s); all 50% done")
    }

    @Test("durations read as a person reads them, rounded up", arguments: [
        (0.0, "0 s"), (0.2, "1 s"), (59.0, "59 s"), (60.0, "1 min"), (365.0, "6 min 5 s"), (3600.0, "1 h"), (4830.0, "1 h 20 min"),
    ])
    func durations(_ seconds: Double, _ text: String) {
        #expect(ProgressLine.duration(seconds) == text)
    }

    @Test("bars, percentages and grouped counts at their edges")
    func edges() {
        #expect(ProgressLine.bars(0, width: 4) == "----")
        #expect(ProgressLine.bars(0.999, width: 4) == "###-")
        #expect(ProgressLine.bars(1.5, width: 4) == "####")
        #expect(ProgressLine.percent(0.999) == "99%")
        #expect(ProgressLine.grouped(0) == "0")
        #expect(ProgressLine.grouped(999) == "999")
        #expect(ProgressLine.grouped(1000) == "1,000")
        #expect(ProgressLine.grouped(-1234567) == "-1,234,567")
    }
}

@Suite("progress: risk train's stages from its notes")
struct RiskTrainStagesTests {
    @Test("each note the training writes maps to its stage")
    func notes() throws {
        let chunk = try #require(RiskTrainStages.stage(of: "features: chunk 3 of 8, 1234 rows so far", dates: 6))
        #expect(chunk.stage == "features" && chunk.done == 3 && chunk.total == 8 && chunk.unit == "chunks")
        #expect(RiskTrainStages.stage(of: "features: 5000 persons, 40000 records with events, 1 chunk within 8192 MiB", dates: 6)?.stage == "features")
        let cohort = try #require(RiskTrainStages.stage(of: "as of 2020-01-01: 900 young people, 12 went on to serious violence", dates: 6))
        #expect(cohort.stage == "cohorts" && cohort.total == 6 && cohort.unit == "dates")
        #expect(RiskTrainStages.stage(of: "training gradient-boosted trees on 5000 rows (40 positive)…", dates: 6)?.stage == "trees")
        #expect(RiskTrainStages.stage(of: "trees: 120 iterations; training logistic regression…", dates: 6)?.stage == "logistic regression")
        #expect(RiskTrainStages.stage(of: "calibrating on out-of-fold scores of every training row (5 folds by person)…", dates: 6)?.stage == "calibration")
        #expect(RiskTrainStages.stage(of: "1200 linked records, 2015-01-01 to 2024-12-31", dates: 6) == nil)
    }

    @Test("a stage begun without a size takes it from the first note that gives one")
    func sizeOnceKnown() throws {
        let clock = FakeClock(), sink = Sink()
        let tracker = ProgressTracker(command: "risk train", clock: { clock.now }, interval: 0, sink: { sink.add($0) })
        tracker.begin("features")
        clock.set(2)
        RiskTrainStages.track("features: 5000 persons, 40000 records with events, 4 chunks within 64 MiB", dates: 3, on: tracker)
        clock.set(4)
        RiskTrainStages.track("features: chunk 1 of 4, 1200 rows so far", dates: 3, on: tracker)
        let last = try #require(sink.all.last)
        #expect(sink.all.filter { $0.event == .begin }.count == 1)
        #expect(last.stage == "features" && last.done == 1 && last.total == 4 && last.unit == "chunks")
        #expect(ProgressLine.render(last, bar: false).hasPrefix("risk train features: 25% (1 of 4 chunks)"))
    }

    @Test("cohort notes count dates on the tracker")
    func countsDates() throws {
        let clock = FakeClock(), sink = Sink()
        let tracker = ProgressTracker(command: "risk train", clock: { clock.now }, interval: 0, sink: { sink.add($0) })
        for (i, d) in ["2020-01-01", "2020-07-01", "2021-01-01"].enumerated() {
            clock.set(Double(i + 1))
            RiskTrainStages.track("as of \(d): 10 young people, 1 went on to serious violence", dates: 3, on: tracker)
        }
        tracker.finish()
        #expect(sink.all.filter { $0.event == .begin }.map(\.stage) == ["cohorts"])
        #expect(sink.all.filter { $0.event == .update }.map(\.done).last == 3)
        #expect(sink.all.last?.total == 3)
    }
}
