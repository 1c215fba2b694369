import Foundation
import UpstreamModel

/// One mapping from every ethnicity code system the agencies use to the ONS 5+1 groups (White, Mixed, Asian, Black,
/// Other, and unknown), so the fairness audit compares the same groups whichever agency recorded a child.
///
/// - DfE codes (schools, children's social care): the first letter of WBRI, WIRI, WIRT, WOTH, WROM, MWBC, MWBA, MWAS,
///   MOTH, AIND, APKN, ABAN, AOTH, BCRB, BAFR, BOTH, OOTH; CHNE (Chinese) is Asian as in the 2021 Census;
///   REFU (refused) and NOBT (not obtained) are unknown.
/// - Police officer-defined and self-defined five-letter scheme: W, M, A, B, O; and the older IC codes:
///   IC1, IC2 White; IC3 Black; IC4, IC5 Asian; IC6 Other; IC0, IC9 unknown.
/// - NHS Data Dictionary ethnic category (16+1 letters A–S, Z), used by health services: A–C White, D–G Mixed,
///   H–L and R Asian, M–P Black, S Other, Z not stated. Its A, B and M clash with the police letters, so a single
///   letter is read as an NHS code only from a health service (or when it is not one of W, M, A, B, O).
/// - The group names themselves ("White", "Black", …), any case.
/// Anything else is unknown, and the audit reports the unknown share.
public enum EthnicGroups {
    /// The ONS 5+1 groups, in the order reports list them; `unknown` is the audit's missing group.
    public static let groups = ["White", "Mixed", "Asian", "Black", "Other"]

    /// The ONS group of a recorded code, or `nil` when it is missing, refused or not a code of any scheme above.
    public static func group(code raw: String, agency: Agency? = nil) -> String? {
        let c = raw.trimmingCharacters(in: .whitespaces).uppercased()
        guard !c.isEmpty else { return nil }
        switch c {
        case "WHITE": return "White"
        case "MIXED": return "Mixed"
        case "ASIAN", "CHINESE": return "Asian"
        case "BLACK": return "Black"
        case "OTHER": return "Other"
        case "REFU", "NOBT", "Z", "99", "NS", "NK", "U", "UNKNOWN", "IC0", "IC9": return nil
        case "IC1", "IC2": return "White"
        case "IC3": return "Black"
        case "IC4", "IC5": return "Asian"
        case "IC6": return "Other"
        case "CHNE": return "Asian"
        default: break
        }
        if c.count == 1 {
            let health: Set<Agency> = [.health, .mentalHealth, .substanceMisuse]
            let police: [Character: String] = ["W": "White", "M": "Mixed", "A": "Asian", "B": "Black", "O": "Other"]
            if let g = police[c.first!], !(agency.map(health.contains) ?? false) { return g }
            switch c.first! {
            case "A", "B", "C": return "White"
            case "D", "E", "F", "G": return "Mixed"
            case "H", "J", "K", "L", "R": return "Asian"
            case "M", "N", "P": return "Black"
            case "S": return "Other"
            default: return nil
            }
        }
        if c.count == 4, c.allSatisfy(\.isLetter) {
            switch c.first! {
            case "W": return "White"
            case "M": return "Mixed"
            case "A": return "Asian"
            case "B": return "Black"
            case "O": return "Other"
            default: return nil
            }
        }
        return nil
    }
}
