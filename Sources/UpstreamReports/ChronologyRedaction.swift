import UpstreamChronology

/// A chronology with its provenance withheld, for roles that may not identify.
///
/// A source record id, or a file name and line, lets anyone holding that agency's extract find the row and so
/// the person: in the pseudonymised view only roles that may identify see them. Record ids are replaced by
/// opaque references (`ref-1`, `ref-2`, … in order of first appearance, the same reference wherever the same
/// record appears in the view), file names by nothing and lines by 0; the renderers then show "withheld".
public enum ChronologyRedaction {
    /// `c` with every source record id, file name and line withheld.
    public static func withoutProvenance(_ c: Chronology) -> Chronology {
        var refs: [String: String] = [:]
        func ref(_ source: String, _ id: String) -> String {
            let key = source + "\u{1F}" + id
            if let r = refs[key] { return r }
            let r = "ref-\(refs.count + 1)"
            refs[key] = r
            return r
        }
        func entry(_ e: ChronologyEntry) -> ChronologyEntry {
            var e = e
            e.recordID = ref(e.source, e.recordID); e.fileName = ""; e.line = 0
            return e
        }
        var out = c
        out.entries = c.entries.map(entry)
        out.firstSeriousViolence = c.firstSeriousViolence.map(entry)
        out.earliestContact = c.earliestContact.map(entry)
        out.householdEvents = c.householdEvents.map { var h = $0; h.recordID = ref(h.source, h.recordID); return h }
        out.aces = c.aces.map { var a = $0; a.recordID = ref(a.source, a.recordID); return a }
        out.mergedRecords = c.mergedRecords.map { var m = $0; m.recordID = ref(m.source, m.recordID); return m }
        return out
    }

    /// Whether `e`'s provenance was withheld.
    public static func isWithheld(_ e: ChronologyEntry) -> Bool { e.fileName.isEmpty && e.line == 0 }

    /// `source file:line`, or `source (file and line withheld)`.
    static func provenance(_ e: ChronologyEntry, separator: String) -> String {
        isWithheld(e) ? "\(e.source) (file and line withheld)" : "\(e.source)\(separator)\(e.fileName):\(e.line)"
    }
}
