import Foundation
import UpstreamChronology
import UpstreamGovernance
import UpstreamModel
import UpstreamReports
import UpstreamStore

/// The one way to open a young person's records: find the person by pseudonym (or person id), build their
/// chronology with their household, withhold provenance from roles that may not see it, and write the access to
/// the audit trail before anything is returned. The command line's `chronology` and the demo's pages use it.
public struct PersonAccess {
    public var workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// The chronology of `given` (a pseudonym `YP-…` or a person id), audited as `identify` (with `purpose`) or
    /// `view-pseudonymised`.
    /// - Parameters:
    ///   - persons: a `source,record_id,person_id` CSV to take the persons from instead of the store's linkage run.
    ///   - purpose: why the person is identified; required (a real reason) with `identify`.
    /// - Throws: ``WorkspaceError`` (usage) when no such person is linked or they have no records.
    public func chronology(of given: String, persons: String? = nil, identify: Bool, purpose: String? = nil) throws -> Chronology {
        let user = workspace.user
        let governance = try workspace.governance()
        guard let store = governance.store as? any WorkspaceStore else { throw WorkspaceError.badInput("this store cannot keep linked persons") }
        let personsFile = PersonSource.of(store, file: persons)
        let pseudonyms = Pseudonyms(pseudonymiser: try governance.pseudonymiser())
        guard let id = try LinkedRecords.resolve(given, personsFile: personsFile, pseudonyms: pseudonyms) else {
            throw WorkspaceError.usage("no linked person \(given) in \(personsFile.name)")
        }
        let records = try Self.neighbourhood(of: id, store: store, personsFile: personsFile)
        guard var c = ChronologyBuilder(records: records).chronology(for: id, pseudonym: pseudonyms.pseudonym(id), identify: identify) else {
            throw WorkspaceError.usage("person \(given) has no records in the store")
        }
        if !user.may(.seeProvenance) { c = ChronologyRedaction.withoutProvenance(c) }
        // Audit before anything is shown.
        let reason = identify ? try Purpose(purpose, for: "--identify").text : ""
        try governance.record(identify ? "identify" : "view-pseudonymised", subject: c.pseudonym, reason: reason,
                              detail: user.may(.seeProvenance) ? "" : "provenance withheld", at: workspace.now)
        return c
    }

    /// The young person's records and their household neighbourhood's (see ``LinkedRecords/neighbourhood(of:store:personsFile:)``):
    /// from the store's current linkage run in one indexed query where the store can (``NeighbourhoodReads``: SQLite
    /// and PostgreSQL), instead of streaming every record of the store twice; from a persons file, by streaming.
    static func neighbourhood(of id: String, store: any WorkspaceStore, personsFile: PersonSource) throws -> [LinkedRecord] {
        if case .store = personsFile, let reads = store as? any NeighbourhoodReads {
            return try reads.householdRecords(of: PersonID(id), personLevelOnly: true).map {
                LinkedRecord(personID: $0.person.rawValue, record: $0.stored.record, matchProbability: $0.probability, extras: $0.stored.extras)
            }
        }
        return try LinkedRecords.neighbourhood(of: id, store: store, personsFile: personsFile)
    }

    /// A chronology built from records already in hand, for a report (the demo's pages): the view is audited
    /// (`view-pseudonymised`, with `reason`) before it is returned.
    public func chronology(of personID: String, builder: ChronologyBuilder, pseudonym: String, reason: String) throws -> Chronology? {
        guard let c = builder.chronology(for: personID, pseudonym: pseudonym) else { return nil }
        try workspace.audit("view-pseudonymised", subject: c.pseudonym, reason: reason)
        return c
    }
}
