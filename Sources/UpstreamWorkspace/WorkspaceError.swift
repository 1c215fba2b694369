/// The one error type of the workspace's use cases: a sentence saying what is wrong and what to do, and the kind of
/// failure that decides the command line's exit status (docs/robustness.md).
public struct WorkspaceError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure it is.
    public enum Kind: Sendable, Equatable {
        /// Something named in the request is wrong or not there (the command line's usage status, 64).
        case usage
        /// An input (file, config, model, store content) cannot be used as it is (65).
        case badInput
        /// Refused: irreversible without confirmation, or cannot be right (77).
        case refused
        /// Reading or writing failed at the operating system's level (74).
        case io
    }

    public var kind: Kind
    public var description: String

    public init(_ kind: Kind, _ description: String) { self.kind = kind; self.description = description }

    /// Something named in the request is wrong or missing.
    public static func usage(_ message: String) -> WorkspaceError { WorkspaceError(.usage, message) }
    /// An input cannot be used as it is.
    public static func badInput(_ message: String) -> WorkspaceError { WorkspaceError(.badInput, message) }
    /// The request is refused.
    public static func refused(_ message: String) -> WorkspaceError { WorkspaceError(.refused, message) }
    /// Reading or writing failed.
    public static func io(_ message: String) -> WorkspaceError { WorkspaceError(.io, message) }
}
