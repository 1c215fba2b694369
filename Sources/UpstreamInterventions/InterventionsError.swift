/// Everything that can go wrong in the interventions module: a bad catalogue entry, a bad plan input, a solver
/// failure, or a review decision that is not allowed. It names where the problem is (catalogue entry and key, input
/// row and column) and what to do, never a person's details.
public struct InterventionsError: Error, Equatable, CustomStringConvertible, Sendable {
    private enum Code: Equatable, Sendable { case catalogue, input, solver, review }
    private let code: Code
    /// Where: "catalogue entry 'mentoring', key effect.violence.low", "scores.csv line 12, column score".
    public let location: String
    /// What is wrong and what to do.
    public let message: String

    public static func catalogue(_ location: String, _ message: String) -> InterventionsError {
        InterventionsError(code: .catalogue, location: location, message: message)
    }
    public static func input(_ location: String, _ message: String) -> InterventionsError {
        InterventionsError(code: .input, location: location, message: message)
    }
    public static func solver(_ message: String) -> InterventionsError {
        InterventionsError(code: .solver, location: "solver", message: message)
    }
    public static func review(_ location: String, _ message: String) -> InterventionsError {
        InterventionsError(code: .review, location: location, message: message)
    }

    public var description: String { location + ": " + message }
}
