import Foundation
import Testing
@testable import UpstreamLinkage
import UpstreamModel

/// A free-text column's words are interned only when something reads them (``LinkageSettings/tokenReaders``):
/// a level on tokens, a list look-up into the column, or a blocking key on its first token.
@Suite("Free-text tokens kept for their readers only")
struct TextTokensTests {
    static let rows = [LinkInput(source: "a", recordID: "1", fields: ["line": "12 High Street", "given": "Ann"]),
                       LinkInput(source: "a", recordID: "2", fields: ["line": "12 High St", "given": "Ann Marie"]),
                       LinkInput(source: "a", recordID: "3", fields: ["line": "Flat 3 Mill Lane", "given": "Bob"])]

    static func tokens(_ json: String, _ column: String = "line") throws -> Int { try tokens(Declared.settings(json), column) }

    static func tokens(_ settings: LinkageSettings, _ column: String = "line") throws -> Int {
        try #require(PreparedData(Self.rows, settings: settings).column(column)).tokens.count
    }

    @Test func onlyJaroWinklerKeepsNoTokens() throws {
        #expect(try Self.tokens(#"{"columns": {"line": "text"}, "comparisons": [{"column": "line", "levels": [{"type": "jaro_winkler", "threshold": 0.9}]}], "blocking_rules": ["line"], "cluster_guards": []}"#) == 0)
    }

    @Test(arguments: [#"[{"type": "jaccard", "threshold": 0.5}]"#, #"[{"type": "shared_token"}]"#, #"[{"type": "token_weight", "bits": 2}]"#,
                      #"[{"type": "list_intersect", "min": 1}]"#])
    func levelsOnTokensKeepThem(_ levels: String) throws {
        let s = try Declared.settings(#"{"columns": {"line": "text"}, "comparisons": [{"column": "line", "levels": \#(levels)}], "blocking_rules": ["line"], "cluster_guards": []}"#)
        #expect(s.tokenReaders == ["line"])
        #expect(try Self.tokens(s) == 10)
    }

    @Test func aFirstTokenKeyKeepsThem() throws {
        #expect(try Self.tokens(#"{"columns": {"line": "text"}, "comparisons": [{"column": "line", "levels": ["exact"]}], "blocking_rules": ["first_token(line)"], "cluster_guards": []}"#) == 10)
    }

    /// The levels do not depend on whether the unread tokens were kept (a first-token key keeps them).
    @Test func theLevelsAreTheSameWithoutThem() throws {
        let levels = #"[{"type": "jaro_winkler", "threshold": 0.9}, {"type": "jaro_winkler", "threshold": 0.7}]"#
        func all(_ blocking: String) throws -> [Int] {
            let s = try Declared.settings(#"{"columns": {"line": "text"}, "comparisons": [{"column": "line", "levels": \#(levels)}], "blocking_rules": [\#(blocking)], "cluster_guards": []}"#)
            let data = PreparedData(Self.rows, settings: s)
            let comparer = Comparer(data: data, comparisons: s.comparisons)
            return [(0, 1), (0, 2), (1, 2)].map { comparer.level(0, $0.0, $0.1) }
        }
        let without = try all(#""initial(line)""#)
        #expect(without == [1, 3, 3])
        #expect(try all(#""first_token(line)""#) == without)
    }
}
