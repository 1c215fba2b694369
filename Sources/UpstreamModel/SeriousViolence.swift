/// Upstream's definition of serious violence, shared by the synthetic city, the chronology and the risk model.
///
/// Homicide (1), attempted murder (2), assault with intent to cause serious harm (5D), endangering life (5E),
/// and assault with injury (8N, 8P) or robbery (34A, 34B) with a knife or firearm flag. See docs/synthetic-city.md.
public enum SeriousViolence {
    /// Whether an offence code with these flags is serious violence.
    public static func isSerious(code: String, flags: CrimeFlags) -> Bool {
        switch code {
        case "1", "2", "5D", "5E": return true
        case "8N", "8P", "34A", "34B": return flags.contains(.knife) || flags.contains(.firearm)
        default: return false
        }
    }
}
