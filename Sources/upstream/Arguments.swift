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
