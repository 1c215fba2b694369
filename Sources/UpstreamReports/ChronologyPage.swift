import UpstreamChronology
import UpstreamModel

/// The chronology of one linked young person as a self-contained HTML page: an SVG timeline with a swimlane per
/// agency and one for the household, then the tables a practitioner needs to read and challenge it.
///
/// Pseudonymised unless the chronology carries an identity (which the CLI only fills after an audited request):
/// then names and identifiers are shown under a visible "identified — access audited" banner.
/// The page has no scripts and loads nothing: inline CSS and SVG only. It prints on A4 landscape.
public enum ChronologyPage {
    /// - Parameters:
    ///   - c: the chronology.
    ///   - generatedAt: when the page was made, as text (passed in, so pages are reproducible).
    public static func html(_ c: Chronology, generatedAt: String) -> String {
        let d = ChronologyDigest(c)
        let e = Markup.escape
        let identified = c.identity != nil
        var s = Markup.head(title: "Chronology \(c.pseudonym)", css: css)

        s += "<header><h1>Multi-agency chronology: \(e(c.pseudonym))</h1>"
        s += "<span class=\"meta\">\(e(d.pseudonymousDescription.isEmpty ? "sex, birth year and area not recorded" : d.pseudonymousDescription))</span>"
        s += "<span class=\"meta\">Generated \(e(generatedAt)) · synthetic data</span></header>\n"
        if identified {
            s += "<div class=\"identified\" id=\"identified-banner\">Identified — access audited. Names and identifiers below are shown because an identification was requested with a reason and written to the audit log.</div>\n"
        }
        s += facts(d)
        s += "<figure class=\"timeline\">\n\(ChronologyTimeline(d).svg())\n</figure>\n"

        s += "<div class=\"grid\">\n<section><h2>Adverse childhood experiences recorded</h2>\n"
        if c.aces.isEmpty {
            s += "<p class=\"note\">No ACE recorded by any agency.</p>\n"
        } else {
            var t = HTMLTable([("#", true), ("ACE", false), ("First recorded", false), ("Age", true), ("By", false)])
            for (i, a) in c.aces.enumerated() {
                t.add([String(i + 1), a.ace.title, a.firstRecorded.iso, ChronologyDigest.age(c.dateOfBirth.map { $0.age(on: a.firstRecorded) }), a.agency.title])
            }
            s += t.render(cls: "aces")
        }
        s += "</section>\n<section><h2>Household</h2>\n"
        if c.household.isEmpty {
            s += "<p class=\"note\">No household member inferred from the records.</p>\n"
        } else {
            var t = HTMLTable([("Relationship", false), ("Sex", false), ("Born", false), ("Together", false), ("Evidence", false)])
            for m in c.household {
                t.add([m.relationship.rawValue.spaced, m.sex?.rawValue ?? "–", m.birthYear.map(String.init) ?? "–",
                       "\(m.firstTogether.year)–\(m.lastTogether.year)", m.evidence])
            }
            s += t.render(cls: "household")
        }
        if !c.householdEvents.isEmpty {
            var t = HTMLTable([("Date", false), ("Age", true), ("ACE", false), ("Who", false), ("By", false)])
            for h in c.householdEvents.sorted(by: { $0.date < $1.date }) {
                t.add([h.date.iso, ChronologyDigest.age(c.dateOfBirth.map { $0.age(on: h.date) }), h.ace.title,
                       h.relationship?.rawValue.spaced ?? "the young person", h.agency.title])
            }
            s += "<h3 class=\"sub\">Household ACE events</h3>\n" + t.render(cls: "household-events")
        }
        s += "</section>\n<section><h2>Contacts before age 10, 12 and 14</h2>\n"
        let contacts = d.contactRows
        if contacts.rows.isEmpty {
            s += "<p class=\"note\">No contact with any agency before 14.</p>\n"
        } else {
            var t = HTMLTable([("Agency", false), ("before 10", true), ("before 12", true), ("before 14", true)])
            for r in contacts.rows {
                let sw = r.0.map { "<span class=\"swatch\" style=\"background:\(Markup.colour($0))\"></span>" } ?? ""
                t.add(raw: [sw + e(r.1)] + r.2.map { String($0) })
            }
            t.add(raw: ["<b>All agencies</b>"] + contacts.totals.map { "<b>\($0)</b>" }, cls: "total")
            s += t.render(cls: "contacts")
            s += "<p class=\"note\">Contacts exclude routine school census rows.</p>\n"
        }
        s += "</section>\n</div>\n"

        s += "<section><h2>Events (\(d.events.count); routine school census rows summarised below)</h2>\n"
        var events = HTMLTable([("Date", false), ("Age", true), ("Agency", false), ("Event", false), ("Source (file:line)", false), ("Link p", true)])
        for x in d.events {
            let first = d.isFirstSeriousViolence(x)
            var what = e(x.summary)
            if first { what = "<b>First serious violence.</b> " + what } else if x.seriousViolence { what = "<b>Serious violence.</b> " + what }
            events.add(raw: [e(x.date.iso), e(ChronologyDigest.age(x.age)),
                             "<span class=\"swatch\" style=\"background:\(Markup.colour(x.agency))\"></span>\(e(x.agency.title))",
                             what, e(ChronologyRedaction.provenance(x, separator: " · ")), e(Markup.probability(x.matchProbability))],
                       cls: first ? "sv first-sv" : x.seriousViolence ? "sv" : nil)
        }
        s += events.render(cls: "events")
        if !d.census.isEmpty {
            var t = HTMLTable([("School year", false), ("Termly absence rows", true), ("From", false), ("To", false), ("Source (file:line)", false)])
            for cy in d.census {
                t.add([cy.label, String(cy.rows), cy.first.iso, cy.last.iso, cy.provenance.joined(separator: ", ")])
            }
            s += "<h3 class=\"sub\">School census: termly absence rows per school year</h3>\n" + t.render(cls: "census")
        }
        s += "</section>\n"

        s += "<section class=\"merged\"><h2>Records merged into this person: challenge a link</h2>\n"
        s += "<p class=\"note\">Each record below was merged into \(e(c.pseudonym)) by the record linkage with the match probability shown: "
        s += "the model's estimate that the record is the same person as the rest. The weakest links come first. "
        s += "“anchor” marks a record that anchors the person (it was not merged by a probability). If a record does not "
        s += "belong, challenge the link through the review queue, quoting the source and record id: the events it brought "
        s += "are listed above with the same source.</p>\n"
        var merged = HTMLTable([("Source", false), ("Record id", false), ("Match probability", true)])
        for m in d.mergedWeakestFirst {
            let weak = (m.matchProbability ?? 1) < 0.9
            merged.add([m.source, m.recordID, Markup.probability(m.matchProbability)], cls: weak ? "weak" : nil)
        }
        s += merged.render(cls: "merged-records")
        s += "</section>\n"

        if identified {
            s += "<section class=\"identity\"><h2>Identity as recorded (identified — access audited)</h2>\n"
            var t = HTMLTable([("Forename", false), ("Middle names", false), ("Surname", false), ("Date of birth", false), ("Sex", false),
                               ("Postcode", false), ("NHS number", false), ("UPN", false), ("PNC id", false), ("Local id", false)])
            for i in d.identities {
                t.add([i.forename, i.middleNames, i.surname, i.dateOfBirth?.iso, i.sex?.rawValue, i.postcode, i.nhsNumber, i.upn, i.pncID, i.localID]
                    .map { $0 ?? "" })
            }
            s += t.render(cls: "identities") + "</section>\n"
        }

        s += "<footer>Upstream · chronology of \(e(c.pseudonym)) · generated \(e(generatedAt)) · "
        s += identified ? "identified view: handle as OFFICIAL-SENSITIVE" : "pseudonymised: no names or identifiers are shown"
        s += d.events.contains(where: ChronologyRedaction.isWithheld)
            ? " · source record ids, files and lines withheld for this role.</footer>\n</body>\n</html>\n"
            : " · every event shows its source file and line.</footer>\n</body>\n</html>\n"
        return s
    }

    static func facts(_ d: ChronologyDigest) -> String {
        let c = d.chronology
        func at(_ f: ChronologyEntry) -> String { "age \(ChronologyDigest.age(f.age)) · \(f.agency.title)" }
        var s = "<div class=\"facts\">"
        if let f = c.earliestContact ?? d.events.first {
            s += Markup.fact("Earliest contact", f.date.iso, at(f))
        }
        if let f = d.firstSeriousViolence {
            s += Markup.fact("First serious violence", f.date.iso, at(f), cls: "sv")
            if let ec = c.earliestContact ?? d.events.first, ec.date <= f.date {
                let years = Double(f.date.dayNumber - ec.date.dayNumber) / 365.25
                s += Markup.fact("Earliest contact came", "\(Markup.fixed(years, 1)) years", "before the first serious violence")
            }
        } else {
            s += Markup.fact("Serious violence", "none recorded", "as suspect or offender")
        }
        s += Markup.fact("ACEs recorded", String(c.aces.count), "of 10")
        s += Markup.fact("Agencies", String(d.agencies.count), "\(d.events.count) events")
        let probs = c.mergedRecords.compactMap(\.matchProbability)
        s += Markup.fact("Records merged", String(c.mergedRecords.count),
                         probs.min().map { "weakest link p = \(Markup.fixed($0, 3))" } ?? "no probabilistic links")
        s += "</div>\n"
        return s
    }

    static let css = """
    .identified { background: #fff3cd; border: 2px solid #b45309; color: #7c2d12; font-weight: 700; padding: 6px 10px; margin: 6px 0; }
    figure.timeline { margin: 0 0 6px; }
    figure.timeline svg { width: 100%; height: auto; }
    h3.sub { font-size: 13px; margin: 8px 0 2px; color: var(--muted); }
    table.household-events td:first-child, table.events td:first-child, table.aces td:nth-child(3) { white-space: nowrap; }
    tr.sv td { background: #fde8ea; }
    tr.first-sv td { background: #f8c9ce; font-weight: 600; }
    tr.weak td { background: #fff7e0; }
    tr.total td { border-top: 1px solid var(--ink); }
    table.events td:nth-child(5) { color: var(--muted); font-size: 11.5px; }
    table.census td:last-child { color: var(--muted); font-size: 11px; max-width: 40em; }
    @media print { figure.timeline { break-after: page; } }
    """
}

/// The SVG timeline: age along the top, years along the bottom, an ACE row, the household lane and one lane per agency.
struct ChronologyTimeline {
    let d: ChronologyDigest
    init(_ d: ChronologyDigest) { self.d = d }

    let width = 1200.0
    let plotLeft = 200.0
    let plotRight = 1170.0
    let axisTop = 40.0
    let aceRow = 28.0
    let lane = 34.0

    var start: CivilDate {
        let first = d.firstDate ?? d.chronology.dateOfBirth ?? CivilDate(year: 2000, month: 1, day: 1)!
        if let dob = d.chronology.dateOfBirth { return min(dob, first) }
        return CivilDate(year: first.year, month: 1, day: 1)!
    }

    var end: CivilDate {
        let last = d.lastDate ?? start.adding(days: 365)
        if let dob = d.chronology.dateOfBirth, let age = d.currentAge { return max(dob.birthday(age + 1), last.adding(days: 1)) }
        return CivilDate(year: last.year + 1, month: 1, day: 1)!
    }

    func x(_ date: CivilDate) -> Double {
        let span = Double(max(1, end.dayNumber - start.dayNumber))
        return plotLeft + Double(date.dayNumber - start.dayNumber) / span * (plotRight - plotLeft)
    }

    func svg() -> String {
        let e = Markup.escape, n = Markup.num
        let c = d.chronology
        let lanesTop = axisTop + aceRow
        let laneCount = 1 + d.agencies.count
        let lanesBottom = lanesTop + Double(laneCount) * lane
        let yearAxis = lanesBottom + 16
        let legendY = lanesBottom + 40
        let height = legendY + 16

        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chronology-timeline\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
        s += "width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" aria-labelledby=\"timeline-title\">\n"
        s += "<title id=\"timeline-title\">Timeline of \(e(c.pseudonym)): \(d.events.count) events across \(d.agencies.count) agencies, household ACE events and ACEs first recorded</title>\n"

        // Lane backgrounds and labels.
        s += "<g class=\"lanes\">\n"
        s += "<rect x=\"0\" y=\"\(n(axisTop))\" width=\"\(n(width))\" height=\"\(n(aceRow))\" fill=\"#fff8eb\"/>\n"
        s += "<text x=\"8\" y=\"\(n(axisTop + aceRow / 2 + 4))\" font-size=\"12\" fill=\"#8a5a00\">ACEs first recorded</text>\n"
        for i in 0..<laneCount {
            let y = lanesTop + Double(i) * lane
            let fill = i % 2 == 0 ? "#f4f6f8" : "#ffffff"
            let (label, key, colour, count): (String, String, String, Int) = i == 0
                ? ("Household", "household", Markup.householdColour, c.householdEvents.count)
                : (d.agencies[i - 1].title, d.agencies[i - 1].rawValue, Markup.colour(d.agencies[i - 1]),
                   d.events.filter { $0.agency == d.agencies[i - 1] }.count)
            s += "<g class=\"lane\" data-lane=\"\(e(key))\"><rect x=\"0\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(lane))\" fill=\"\(fill)\"/>"
            s += "<rect x=\"0\" y=\"\(n(y))\" width=\"4\" height=\"\(n(lane))\" fill=\"\(colour)\"/>"
            s += "<text x=\"10\" y=\"\(n(y + lane / 2 + 4))\" font-size=\"12.5\" fill=\"#1d2329\">\(e(label))"
            s += "<tspan fill=\"#5b6670\" font-size=\"11\"> (\(count))</tspan></text></g>\n"
        }
        s += "<line x1=\"\(n(plotLeft))\" y1=\"\(n(axisTop))\" x2=\"\(n(plotLeft))\" y2=\"\(n(lanesBottom))\" stroke=\"#9aa5ae\"/>\n"
        s += "</g>\n"

        // Age ticks along the top (birthdays), years along the bottom.
        s += "<g class=\"axis\" font-size=\"11\" fill=\"#5b6670\">\n"
        if let dob = c.dateOfBirth, let age = d.currentAge {
            s += "<text x=\"\(n(plotLeft - 6))\" y=\"32\" text-anchor=\"end\">age</text>\n"
            let step = (plotRight - plotLeft) / Double(age + 1) < 16 ? 2 : 1
            for a in stride(from: 0, through: age + 1, by: step) {
                let xa = x(dob.birthday(a))
                guard xa >= plotLeft - 0.5, xa <= plotRight + 0.5 else { continue }
                s += "<line class=\"age-tick\" x1=\"\(n(xa))\" y1=\"36\" x2=\"\(n(xa))\" y2=\"\(n(lanesBottom))\" stroke=\"#c9d1d8\" stroke-width=\"\(a % 5 == 0 ? "1" : "0.5")\"/>"
                if a <= age { s += "<text x=\"\(n(xa + 2))\" y=\"32\">\(a)</text>" }
                s += "\n"
            }
        } else {
            s += "<text x=\"\(n(plotLeft - 6))\" y=\"32\" text-anchor=\"end\">age unknown (no date of birth)</text>\n"
        }
        let firstYear = start.year + (start.month == 1 && start.day == 1 ? 0 : 1)
        let years = max(1, end.year - firstYear + 1)
        let yearStep = (plotRight - plotLeft) / Double(years) < 34 ? 2 : 1
        for y in stride(from: firstYear, through: end.year, by: yearStep) {
            let xy = x(CivilDate(year: y, month: 1, day: 1)!)
            guard xy >= plotLeft - 0.5, xy <= plotRight + 0.5 else { continue }
            s += "<line x1=\"\(n(xy))\" y1=\"\(n(lanesBottom))\" x2=\"\(n(xy))\" y2=\"\(n(lanesBottom + 4))\" stroke=\"#5b6670\"/>"
            s += "<text x=\"\(n(xy))\" y=\"\(n(yearAxis))\" text-anchor=\"middle\">\(y)</text>\n"
        }
        s += "<line x1=\"\(n(plotLeft))\" y1=\"\(n(lanesBottom))\" x2=\"\(n(plotRight))\" y2=\"\(n(lanesBottom))\" stroke=\"#5b6670\"/>\n"
        s += "</g>\n"

        // ACEs first recorded.
        s += "<g class=\"aces\">\n"
        var aceStack = Stacker(offsets: [0, -7, 7])
        for (i, a) in c.aces.enumerated() {
            let xa = x(a.firstRecorded)
            let y = axisTop + aceRow / 2 + aceStack.offset(at: xa, width: 16)
            let age = c.dateOfBirth.map { ", age \($0.age(on: a.firstRecorded))" } ?? ""
            s += "<g class=\"ace-marker\"><title>ACE \(i + 1): \(e(a.ace.title)), first recorded \(e(a.firstRecorded.iso))\(e(age)) by \(e(a.agency.title))</title>"
            s += "<path d=\"M\(n(xa - 5)),\(n(y - 5)) L\(n(xa + 5)),\(n(y - 5)) L\(n(xa)),\(n(y + 4)) Z\" fill=\"\(Markup.aceColour)\" stroke=\"#8a5a00\" stroke-width=\"0.8\"/>"
            s += "<text x=\"\(n(xa + 6))\" y=\"\(n(y + 3))\" font-size=\"10\" font-weight=\"700\" fill=\"#8a5a00\">\(i + 1)</text></g>\n"
        }
        s += "</g>\n"

        // Household ACE events.
        s += "<g class=\"household-events\">\n"
        var hh = Stacker(offsets: [0, -9, 9])
        for h in c.householdEvents.sorted(by: { $0.date < $1.date }) {
            let xh = x(h.date)
            let y = lanesTop + lane / 2 + hh.offset(at: xh, width: 8)
            let who = h.relationship?.rawValue.spaced ?? "the young person"
            s += "<rect class=\"household-event\" x=\"\(n(xh - 4))\" y=\"\(n(y - 4))\" width=\"8\" height=\"8\" fill=\"\(Markup.householdColour)\" stroke=\"#fff\" stroke-width=\"0.8\">"
            s += "<title>\(e(h.date.iso)): \(e(h.ace.title)) (\(e(who))): \(e(h.description)), recorded by \(e(h.agency.title))</title></rect>\n"
        }
        s += "</g>\n"

        // School census: one thin band per school year.
        if let schoolLane = d.agencies.firstIndex(of: .school) {
            let y = lanesTop + Double(schoolLane + 1) * lane + lane - 7
            s += "<g class=\"census\">\n"
            for cy in d.census {
                let x0 = max(plotLeft, x(cy.start)), x1 = min(plotRight, x(cy.end))
                let opacity = min(0.85, 0.3 + 0.12 * Double(cy.rows))
                s += "<rect class=\"census-band\" x=\"\(n(x0))\" y=\"\(n(y))\" width=\"\(n(max(1, x1 - x0 - 2.5)))\" height=\"4\" fill=\"\(Markup.colour(.school))\" fill-opacity=\"\(Markup.fixed(opacity, 2))\">"
                s += "<title>School year \(e(cy.label)): \(cy.rows) termly absence record\(cy.rows == 1 ? "" : "s") (school census)</title></rect>\n"
            }
            s += "</g>\n"
        }

        // Agency events, serious violence last so it draws on top.
        s += "<g class=\"events\">\n"
        var firstSV: (x: Double, y: Double, entry: ChronologyEntry)?
        var markers: [(x: Double, y: Double, entry: ChronologyEntry)] = []
        for (li, agency) in d.agencies.enumerated() {
            var stack = Stacker(offsets: [0, -9, 9])
            let mid = lanesTop + Double(li + 1) * lane + lane / 2 - 2
            for ev in d.events where ev.agency == agency {
                let xe = x(ev.date)
                markers.append((xe, mid + stack.offset(at: xe, width: 8), ev))
            }
        }
        for m in markers.sorted(by: { !$0.entry.seriousViolence && $1.entry.seriousViolence }) {
            let ev = m.entry
            let tip = "\(ev.date.iso), age \(ChronologyDigest.age(ev.age)), \(ev.agency.title): \(ev.summary) [\(ChronologyRedaction.provenance(ev, separator: " "))]"
            if d.isFirstSeriousViolence(ev) {
                firstSV = m
            } else if ev.seriousViolence {
                s += "<path class=\"serious-violence\" d=\"\(diamond(m.x, m.y, 6.5))\" fill=\"\(Markup.seriousViolenceColour)\" stroke=\"#fff\" stroke-width=\"1\">"
                s += "<title>Serious violence. \(e(tip))</title></path>\n"
            } else {
                s += "<circle class=\"event\" cx=\"\(n(m.x))\" cy=\"\(n(m.y))\" r=\"4.5\" fill=\"\(Markup.colour(ev.agency))\" stroke=\"#fff\" stroke-width=\"1\">"
                s += "<title>\(e(tip))</title></circle>\n"
            }
        }
        s += "</g>\n"

        if let f = firstSV {
            let ev = f.entry
            let label = "First serious violence · \(ev.date.iso)" + (ev.age.map { " · age \($0)" } ?? "")
            let rightSide = f.x < plotRight - 260
            s += "<g id=\"first-serious-violence\" class=\"first-serious-violence\">"
            s += "<title>First serious violence: \(e(ev.date.iso)), age \(e(ChronologyDigest.age(ev.age))), \(e(ev.agency.title)): \(e(ev.summary)) [\(e(ChronologyRedaction.provenance(ev, separator: " ")))]</title>"
            s += "<line x1=\"\(n(f.x))\" y1=\"4\" x2=\"\(n(f.x))\" y2=\"\(n(lanesBottom))\" stroke=\"\(Markup.seriousViolenceColour)\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>"
            s += "<path d=\"\(diamond(f.x, f.y, 10))\" fill=\"\(Markup.seriousViolenceColour)\" stroke=\"#1d2329\" stroke-width=\"1.5\"/>"
            s += "<text x=\"\(n(rightSide ? f.x + 6 : f.x - 6))\" y=\"14\" font-size=\"12.5\" font-weight=\"700\" fill=\"\(Markup.seriousViolenceColour)\" text-anchor=\"\(rightSide ? "start" : "end")\">\(e(label))</text>"
            s += "</g>\n"
        }

        // Legend.
        var lx = 60.0
        let ly = legendY
        s += "<g class=\"legend\" font-size=\"11.5\" fill=\"#1d2329\">\n"
        func item(_ shape: String, _ text: String, _: Double) {
            s += shape + "<text x=\"\(n(lx + 10))\" y=\"\(n(ly + 4))\">\(e(text))</text>\n"
            lx += 30 + Double(text.count) * 6.2
        }
        s += "<text x=\"10\" y=\"\(n(ly + 4))\" font-weight=\"700\" fill=\"#5b6670\">Key</text>\n"
        item("<circle cx=\"\(n(lx + 2))\" cy=\"\(n(ly))\" r=\"4.5\" fill=\"#56687a\"/>", "contact (agency colour)", 0)
        item("<path d=\"\(diamond(lx + 2, ly, 6.5))\" fill=\"\(Markup.seriousViolenceColour)\"/>", "serious violence", 0)
        item("<path d=\"\(diamond(lx + 2, ly, 7.5))\" fill=\"\(Markup.seriousViolenceColour)\" stroke=\"#1d2329\" stroke-width=\"1.5\"/>", "first serious violence", 0)
        item("<rect x=\"\(n(lx - 2))\" y=\"\(n(ly - 4))\" width=\"8\" height=\"8\" fill=\"\(Markup.householdColour)\"/>", "household ACE event", 0)
        item("<path d=\"M\(n(lx - 3)),\(n(ly - 5)) L\(n(lx + 7)),\(n(ly - 5)) L\(n(lx + 2)),\(n(ly + 4)) Z\" fill=\"\(Markup.aceColour)\"/>", "ACE first recorded (see table)", 0)
        item("<rect x=\"\(n(lx - 4))\" y=\"\(n(ly - 2))\" width=\"12\" height=\"4\" fill=\"\(Markup.colour(.school))\" fill-opacity=\"0.6\"/>", "school census, per school year", 0)
        s += "</g>\n</svg>"
        return s
    }

    func diamond(_ x: Double, _ y: Double, _ r: Double) -> String {
        let n = Markup.num
        return "M\(n(x)),\(n(y - r)) L\(n(x + r)),\(n(y)) L\(n(x)),\(n(y + r)) L\(n(x - r)),\(n(y)) Z"
    }
}

/// Spreads markers that would overlap onto a few rows within a lane.
struct Stacker {
    let offsets: [Double]
    var lastX: [Double]

    init(offsets: [Double]) { self.offsets = offsets; lastX = Array(repeating: -.infinity, count: offsets.count) }

    /// The vertical offset for a marker at `x`: the first row where it clears the previous marker by `width`.
    mutating func offset(at x: Double, width: Double) -> Double {
        for i in offsets.indices where x - lastX[i] >= width {
            lastX[i] = x
            return offsets[i]
        }
        let i = lastX.indices.min { lastX[$0] < lastX[$1] }!
        lastX[i] = x
        return offsets[i]
    }
}
