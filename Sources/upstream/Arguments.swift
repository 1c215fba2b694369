import ArgumentParser
import UpstreamGovernance
import UpstreamModel

/// The values the command line parses straight from an argument.
extension Role: ExpressibleByArgument {}
extension RiskFlag.Decision: ExpressibleByArgument {}

extension CivilDate: ExpressibleByArgument {
    public init?(argument: String) {
        guard let d = CivilDate.parse(argument, layout: .iso) else { return nil }
        self = d
    }
}

/// A `--memory` value: the bytes ``MemoryBudget/bytes(_:atLeast:)`` reads, or a usage error with its one message, so
/// every command that takes a budget accepts the same sizes and refuses them the same way.
enum MemoryOption {
    static func bytes(_ text: String) throws -> Int {
        guard let bytes = MemoryBudget.bytes(text) else { throw ValidationError(MemoryBudget.problem(text)) }
        return bytes
    }
}
