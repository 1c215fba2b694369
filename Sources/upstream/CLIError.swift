/// A user-facing error with a sentence that says what to do (exit status 65; ``ErrorMapping``). New code throws
/// UpstreamWorkspace's ``WorkspaceError``.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
