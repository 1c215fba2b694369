/// An error from a store: what went wrong and where, never the personal values involved.
public struct StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case unknownSource, corrupt, unsupportedSchema, busy, notFound, collision, invalidRun
    }

    private let code: Code
    /// Ids, names of sources or tables: never personal data.
    public let context: String

    private init(_ code: Code, _ context: String) { self.code = code; self.context = context }

    /// A source was referred to before it was registered.
    public static func unknownSource(_ name: String) -> StoreError { StoreError(.unknownSource, name) }
    /// A stored value cannot be read back (a column holds something the model does not know).
    public static func corrupt(_ what: String) -> StoreError { StoreError(.corrupt, what) }
    /// The database was written by a newer version of Upstream.
    public static func unsupportedSchema(_ what: String) -> StoreError { StoreError(.unsupportedSchema, what) }

    /// Something asked for by id (an offer, a run) is not in the store.
    public static func notFound(_ what: String) -> StoreError { StoreError(.notFound, what) }
    /// Two persons were given the same pseudonym; the context names the pseudonym, never the person.
    public static func collision(_ what: String) -> StoreError { StoreError(.collision, what) }

    /// A run to save is not consistent in itself (a record given to a person twice); nothing was changed.
    public static func invalidRun(_ what: String) -> StoreError { StoreError(.invalidRun, what) }

    /// Another process held the store's write lock for longer than the store waits (its busy timeout).
    public static func busy(_ store: String) -> StoreError { StoreError(.busy, store) }

    /// Whether this is ``busy(_:)``: the operation may succeed if tried again later.
    public var isBusy: Bool { code == .busy }

    public var description: String {
        switch code {
        case .unknownSource: "unknown source '\(context)'"
        case .corrupt: "store holds a value that cannot be read: \(context)"
        case .unsupportedSchema: "unsupported store schema: \(context)"
        case .notFound: "not in the store: \(context)"
        case .collision: "pseudonym collision: \(context)"
        case .invalidRun: "the run was not saved: \(context)"
        case .busy: "the store \(context) is busy: another command is writing to it"
        }
    }
}
