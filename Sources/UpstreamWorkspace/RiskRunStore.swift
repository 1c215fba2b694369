import Foundation
import UpstreamGovernance
import UpstreamModel
import UpstreamRisk
import UpstreamRiskFeatures
import UpstreamStore

/// What the risk model keeps in the store (migration v5, docs/stores.md): training runs with the model, its report
/// and the lookups it was trained with; scoring runs with every young person's score, rank and (when flagged)
/// reasons. The practitioners' review queue is ``RiskFlagQueue``.
public struct RiskRunStore {
    public let store: any WorkspaceStore
    /// The `--store` value, for messages.
    public let location: String

    /// Opens the store at `location` (a SQLite file, which must exist, or a `postgres://` URL).
    public static func open(_ location: String) throws -> RiskRunStore {
        RiskRunStore(store: try StoreFactory.openExisting(location), location: location)
    }

    /// The lookups a model was trained with, so scoring reads the same ones by default.
    public struct Inputs: Codable {
        public var postcodes: String?
        public init(postcodes: String? = nil) { self.postcodes = postcodes }
    }

    /// The latest training run.
    public func latestTraining() throws -> RiskRunInfo {
        guard let run = try store.latestRiskRun(.train) else {
            throw WorkspaceError.badInput("no trained risk model in \(location): train one first with upstream risk train --store \(location)")
        }
        return run
    }

    /// The latest trained model.
    public func model() throws -> TrainedRiskModel {
        let run = try latestTraining()
        do { return try JSONDecoder().decode(TrainedRiskModel.self, from: run.modelJSON) } catch {
            throw WorkspaceError.badInput("risk run \(run.id) in \(location) holds a model that cannot be read (\(JSONFiles.describe(error))); train again with upstream risk train")
        }
    }

    /// The lookups of the latest training run.
    public func inputs() throws -> Inputs {
        let run = try latestTraining()
        return (try? JSONDecoder().decode(Inputs.self, from: run.detailJSON)) ?? Inputs()
    }

    /// Saves a training run: the model, its report and its inputs, in one transaction.
    @discardableResult
    public func saveTraining(_ model: TrainedRiskModel, inputs: Inputs, by user: String, at: Int64) throws -> RiskRunInfo {
        let asOf = model.config.trainDates.last ?? model.config.testDates.last ?? CivilDate(dayNumber: 0)
        let run = RiskRunInfo(kind: .train, modelID: model.id, asOf: asOf, finishedAt: at, by: user,
                              modelJSON: try JSONFiles.encode(model), reportJSON: try JSONFiles.encode(model.report),
                              linkageRun: try store.currentLinkageRun()?.id, detailJSON: try JSONFiles.encode(inputs))
        return try store.saveRiskRun(run, scores: [])
    }

    /// Saves a scoring run with its scores, in one transaction.
    @discardableResult
    public func saveScoring(modelID: String, asOf: CivilDate, scores: [PersonScore], figures: some Encodable, by user: String, at: Int64) throws -> RiskRunInfo {
        let run = RiskRunInfo(kind: .score, modelID: modelID, asOf: asOf, finishedAt: at, by: user,
                              reportJSON: try JSONFiles.encode(figures), linkageRun: try store.currentLinkageRun()?.id)
        return try store.saveRiskRun(run, scores: scores)
    }
}

extension ScoreReason {
    /// A risk model's reason as the store keeps it.
    public init(_ r: Reason) { self.init(feature: r.feature, text: r.text, contribution: r.contribution) }
}
