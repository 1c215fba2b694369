import Foundation
import UpstreamChronology
import UpstreamGovernance
import UpstreamModel

/// The server-rendered pages: each takes its data value (``WebWorkspace``) and returns HTML. No scripts: every
/// action is a form that posts with the session's CSRF token.
enum Pages {
    typealias Cell = Layout.Cell
    static func e(_ s: String) -> String { Layout.escape(s) }
    static func fixed(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }
    static func time(_ t: Int64) -> String {
        let d = CivilDate(dayNumber: Int32(t / 86_400))
        let s = Int(t % 86_400)
        return d.iso + String(format: " %02d:%02d UTC", s / 3600, s / 60 % 60)
    }

    static func login(csrf: String, error: String?, name: String = "") -> String {
        Layout.page(title: "Sign in", user: nil, csrf: nil, body: """
            <h1>Sign in to Upstream</h1>
            \(error.map { "<p class=\"error\" role=\"alert\">\(e($0))</p>" } ?? "")
            <form method="post" action="/login">
            \(Layout.csrfField(csrf))
            <label for="name">User name</label>
            <input id="name" name="name" autocomplete="username" required value="\(e(name))">
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <label for="code">Authentication code (only if you set up an authenticator app)</label>
            <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,8}" size="8">
            <p><button type="submit">Sign in</button></p>
            </form>
            <p class="muted">After five wrong passwords in a row the account is locked for 15 minutes.</p>
            """)
    }

    static func dashboard(_ d: WebWorkspace.Dashboard, user: User, csrf: String) -> String {
        func card(_ label: String, _ value: String?, _ link: String? = nil) -> String {
            guard let value else { return "" }
            let v = link.map { "<a href=\"\($0)\">\(e(value))</a>" } ?? e(value)
            return "<div class=\"card\"><strong>\(v)</strong>\(e(label))</div>"
        }
        let cards = [
            card("linked persons", d.linkedPersons.map(Layout.suppressed)),
            card("latest scores as of", d.latestScoreAsOf),
            card("young people flagged", d.flagged.map(Layout.suppressed), (user.role == .practitioner || user.role == .supervisor) ? "/queue" : nil),
            card("flags waiting for a decision", d.pendingReviews.map(Layout.suppressed)),
            card("young people on your caseload", d.caseload.map(String.init), "/queue"),
            card("audit trail entries", d.auditEntries.map(String.init), "/audit"),
            card("users", d.users.map(String.init), "/admin/users"),
        ].joined()
        return Layout.page(title: "Dashboard", user: user, csrf: csrf, body: """
            <h1>Dashboard</h1>
            <p>Signed in as <strong>\(e(d.user))</strong>, acting as <strong>\(e(d.role))</strong>.</p>
            <section aria-labelledby="figures"><h2 id="figures">Figures</h2>\(cards.isEmpty ? "<p>No figures for this role.</p>" : cards)</section>
            \(user.role == .analyst || user.role == .supervisor ? lookupForm : "")
            """)
    }

    static let lookupForm = """
        <section aria-labelledby="find"><h2 id="find">Open a chronology</h2>
        <form method="get" action="/people">
        <label for="pseudonym">Pseudonym (YP-…)</label>
        <input id="pseudonym" name="pseudonym" required pattern="[Yy][Pp]-.{20}" size="26">
        <button type="submit">Open</button>
        </form></section>
        """

    static func queue(_ q: WebWorkspace.Queue, user: User, csrf: String, notice: String?) -> String {
        let decisionOptions = q.decisions.map { "<option value=\"\(e($0))\">\(e($0.replacingOccurrences(of: "-", with: " ")))</option>" }.joined()
        var rows: [[Cell]] = []
        for (i, item) in q.items.enumerated() {
            let trend = item.trend.map { "\($0.asOf): \(fixed($0.score))" }.joined(separator: "; ")
            let reasons = "<ul>" + item.reasons.prefix(5).map { "<li>\(e($0))</li>" }.joined() + "</ul>"
            var actions = ""
            if item.state == "pending" {
                actions += """
                    <form method="post" action="/queue/\(e(item.pseudonym))/decide">\(Layout.csrfField(csrf))
                    <label for="d\(i)">Decision</label><select id="d\(i)" name="decision">\(decisionOptions)</select>
                    <label for="r\(i)">Reason (recorded in the audit trail)</label><input id="r\(i)" name="reason" required maxlength="500">
                    <button type="submit">Record decision</button></form>
                    """
            } else if user.role == .supervisor {
                actions += """
                    <form method="post" action="/queue/\(e(item.pseudonym))/reopen">\(Layout.csrfField(csrf))
                    <label for="o\(i)">Reason for reopening</label><input id="o\(i)" name="reason" required maxlength="500">
                    <button type="submit">Reopen</button></form>
                    """
            }
            if let practitioners = q.practitioners, !practitioners.isEmpty {
                let opts = practitioners.map { "<option\($0 == item.assignedTo ? " selected" : "")>\(e($0))</option>" }.joined()
                actions += """
                    <form method="post" action="/queue/\(e(item.pseudonym))/assign">\(Layout.csrfField(csrf))
                    <label for="a\(i)">Practitioner</label><select id="a\(i)" name="practitioner">\(opts)</select>
                    <button type="submit">Assign</button></form>
                    """
            }
            let history = item.history.map { "\(time($0.at)) \($0.by): \($0.what) (\($0.reason))" }.joined(separator: "<br>")
            rows.append([
                Cell(raw: "<a href=\"/people/\(e(item.pseudonym))\">\(e(item.pseudonym))</a>"),
                Cell(fixed(item.score)), Cell(String(item.rank)), Cell(item.age.map(String.init) ?? "–"),
                Cell(trend), Cell(raw: reasons), Cell(raw: "<span\(item.state == "pending" ? " class=\"flag\"" : "")>\(e(item.state))</span>"
                                                        + (history.isEmpty ? "" : "<br><small>\(history)</small>")),
                Cell(item.assignedTo ?? "unassigned"), Cell(raw: actions),
            ])
        }
        let table = q.items.isEmpty
            ? "<p>No flagged young people\(user.role == .practitioner ? " on your caseload" : "").</p>"
            : Layout.table(caption: "Flagged young people, highest score first",
                           headers: ["Young person", "Score", "Rank", "Age", "Trend (as of: score)", "Reasons raising the score", "State", "Assigned to", "Actions"],
                           rows: rows)
        return Layout.page(title: "Review queue", user: user, csrf: csrf, body: """
            <h1>Review queue</h1>
            \(notice.map { "<p class=\"notice\" role=\"status\">\(e($0))</p>" } ?? "")
            <p>Scores as of \(e(q.asOf ?? "—")). A score is an offer of support to consider, never a decision: record what you decide and why.</p>
            <p>\(q.total) flagged young \(q.total == 1 ? "person" : "people")\(q.pages > 1 ? "; page \(q.page) of \(q.pages)" : "").</p>
            \(table)
            \(q.pages > 1 ? "<nav aria-label=\"Pages\"><ul>" + (q.page > 1 ? "<li><a href=\"/queue?page=\(q.page - 1)\">Previous page</a></li>" : "")
                + (q.page < q.pages ? "<li><a href=\"/queue?page=\(q.page + 1)\">Next page</a></li>" : "") + "</ul></nav>" : "")
            """)
    }

    static func person(_ v: WebWorkspace.PersonView, user: User, csrf: String) -> String {
        let c = v.chronology
        var facts = "<dl>"
        facts += "<dt>Pseudonym</dt><dd>\(e(c.pseudonym))</dd>"
        facts += "<dt>Sex</dt><dd>\(e(c.sex?.rawValue ?? "not recorded"))</dd>"
        if v.identified, let dob = c.dateOfBirth { facts += "<dt>Date of birth</dt><dd>\(e(dob.iso))</dd>" }
        else { facts += "<dt>Birth year</dt><dd>\(e(c.dateOfBirth.map { String($0.components.year) } ?? "not recorded"))</dd>" }
        facts += "<dt>Area</dt><dd>\(e(c.area ?? "not recorded"))</dd>"
        facts += "<dt>Assigned to</dt><dd>\(e(v.assignedTo ?? "unassigned"))</dd>"
        facts += "</dl>"
        var identity = ""
        if v.identified, let ids = c.identity {
            let names = Set(ids.map { [$0.forename, $0.surname].compactMap { $0 }.joined(separator: " ") }).sorted()
            let numbers = Set(ids.compactMap { $0.nhsNumber }).sorted()
            identity = """
                <section aria-labelledby="ident"><h2 id="ident">Identification (audited)</h2>
                <p>Names recorded: \(e(names.joined(separator: "; ")))</p>
                <p>NHS numbers recorded: \(e(numbers.isEmpty ? "none" : numbers.joined(separator: "; ")))</p></section>
                """
        } else if v.mayIdentify {
            identity = """
                <section aria-labelledby="ident"><h2 id="ident">Identify this young person</h2>
                <form method="post" action="/people/\(e(c.pseudonym))/identify">\(Layout.csrfField(csrf))
                <label for="purpose">Purpose (recorded in the audit trail with your name)</label>
                <input id="purpose" name="purpose" required maxlength="500" size="60">
                <button type="submit">Show names and identifiers</button></form></section>
                """
        }
        let rows: [[Cell]] = c.entries.map { en in
            [Cell(en.date.iso), Cell(en.age.map(String.init) ?? "–"), Cell(en.agency.title), Cell(en.summary),
             Cell(raw: en.seriousViolence ? "<span class=\"flag\">serious violence</span>" : ""),
             Cell(v.provenanceWithheld ? "\(en.source) (withheld)" : "\(en.source) \(en.recordID) \(en.fileName):\(en.line)")]
        }
        let aces = c.aces.isEmpty ? "<p>No adverse childhood experiences recorded.</p>"
            : "<ul>" + c.aces.map { "<li>\(e($0.ace.rawValue.replacingOccurrences(of: "_", with: " "))): first recorded \(e($0.firstRecorded.iso)) by \(e($0.agency.title))</li>" }.joined() + "</ul>"
        let household = c.household.isEmpty ? "<p>No household members inferred.</p>"
            : "<ul>" + c.household.map { "<li>\(e($0.relationship.rawValue)), \(e($0.sex?.rawValue ?? "sex not recorded")), born \($0.birthYear.map(String.init) ?? "unknown")</li>" }.joined() + "</ul>"
        let scores = v.scores.isEmpty ? "" : "<p>Scores: " + e(v.scores.map { "\($0.asOf): \(fixed($0.score))" }.joined(separator: "; ")) + "</p>"
        return Layout.page(title: "Chronology \(c.pseudonym)", user: user, csrf: csrf, body: """
            <h1>Chronology of \(e(c.pseudonym))</h1>
            <p class="muted">\(v.identified ? "Identified view: this access and its purpose are in the audit trail." : "Pseudonymised view: this access is in the audit trail.")\(v.provenanceWithheld ? " Source record ids and file lines are withheld for your role." : "")</p>
            \(facts)
            \(scores)
            \(identity)
            <h2>Recorded adverse childhood experiences</h2>\(aces)
            <h2>Household</h2>\(household)
            \(Layout.table(caption: "Events, oldest first", headers: ["Date", "Age", "Agency", "Event", "Serious violence", "Source"], rows: rows))
            """)
    }

    static func audit(_ p: WebWorkspace.AuditPage, filter f: WebWorkspace.AuditFilter, user: User, csrf: String) -> String {
        func field(_ id: String, _ label: String, _ value: String?, type: String = "text") -> String {
            "<label for=\"\(id)\">\(label)</label><input id=\"\(id)\" name=\"\(id)\" type=\"\(type)\" value=\"\(e(value ?? ""))\">"
        }
        let rows: [[Cell]] = p.entries.map { r in
            [Cell(String(r.seq)), Cell(time(r.at)), Cell("\(r.actor) (\(r.actorKind)\(r.role.isEmpty ? "" : ", \(r.role)"))"), Cell(r.action),
             Cell(r.subject), Cell(r.source ?? ""), Cell(String(r.count)), Cell(r.reason), Cell(r.detail)]
        }
        return Layout.page(title: "Audit trail", user: user, csrf: csrf, body: """
            <h1>Audit trail</h1>
            <form method="get" action="/audit" aria-label="Filter the audit trail">
            \(field("actor", "User", f.actor))\(field("action", "Action (starts with)", f.action))\(field("subject", "Subject (pseudonym, source or model)", f.subject))
            \(field("from", "From (date)", f.from, type: "date"))\(field("to", "To (date)", f.to, type: "date"))
            <p><button type="submit">Filter</button></p></form>
            <p>\(p.matched) of \(p.total) entries match; the newest \(min(p.matched, p.entries.count)) are shown.</p>
            \(Layout.table(caption: "Audit trail entries, newest first", headers: ["#", "When", "Who", "Action", "Subject", "Source", "Count", "Reason", "Detail"], rows: rows))
            """)
    }

    static func quality(_ q: WebWorkspace.Quality, user: User, csrf: String) -> String {
        let sources: [[Cell]] = q.sources.map { [Cell($0.source), Cell($0.agency), Cell($0.records), Cell($0.personRecords), Cell($0.quarantined), Cell(String($0.deliveries))] }
        let quarantine: [[Cell]] = q.quarantine.map { [Cell($0.source), Cell($0.reason), Cell($0.field ?? "–"), Cell($0.rows)] }
        return Layout.page(title: "Data quality", user: user, csrf: csrf, body: """
            <h1>Data quality and quarantine</h1>
            <p>Counts from 1 to 4 are shown as "fewer than 5". Quarantined rows themselves are never shown here: use <code>upstream quarantine</code> with access to the store.</p>
            \(Layout.table(caption: "Records by source", headers: ["Source", "Agency", "Records", "Person-level records", "Quarantined rows", "Live deliveries"], rows: sources))
            \(q.quarantine.isEmpty ? "<p>No rows are quarantined.</p>" : Layout.table(caption: "Quarantined rows by reason", headers: ["Source", "Reason", "Field", "Rows"], rows: quarantine))
            """)
    }

    static func users(_ rows: [WebWorkspace.UserRow], user: User, csrf: String, notice: String?) -> String {
        let roleOptions = Role.allCases.map { "<option>\($0.rawValue)</option>" }.joined()
        let table: [[Cell]] = rows.enumerated().map { i, r in
            let opts = Role.allCases.map { "<option\($0.rawValue == r.role ? " selected" : "")>\($0.rawValue)</option>" }.joined()
            let actions = """
                <form method="post" action="/admin/users/\(e(r.name))/role" class="inline">\(Layout.csrfField(csrf))
                <label for="role\(i)">Role</label><select id="role\(i)" name="role">\(opts)</select> <button type="submit">Change role</button></form>
                <form method="post" action="/admin/users/\(e(r.name))/\(r.disabled ? "enable" : "disable")" class="inline">\(Layout.csrfField(csrf))
                <button type="submit">\(r.disabled ? "Enable" : "Disable")</button></form>
                \(r.locked || r.failedLogins > 0 ? "<form method=\"post\" action=\"/admin/users/\(e(r.name))/unlock\" class=\"inline\">\(Layout.csrfField(csrf))<button type=\"submit\">Unlock</button></form>" : "")
                \(r.secondFactor ? "<form method=\"post\" action=\"/admin/users/\(e(r.name))/totp-reset\" class=\"inline\">\(Layout.csrfField(csrf))<button type=\"submit\">Remove authenticator</button></form>" : "")
                """
            return [Cell(r.name), Cell(r.role), Cell((r.disabled ? "disabled" : r.locked ? "locked" : "active") + (r.secondFactor ? "; authenticator" : "")),
                    Cell(String(r.failedLogins)),
                    Cell(String(r.caseload)), Cell(raw: actions)]
        }
        return Layout.page(title: "Users", user: user, csrf: csrf, body: """
            <h1>Users and roles</h1>
            \(notice.map { "<p class=\"notice\" role=\"status\">\(e($0))</p>" } ?? "")
            \(Layout.table(caption: "Users", headers: ["Name", "Role", "Status", "Failed logins", "Caseload", "Actions"], rows: table))
            <h2>Add a user</h2>
            <form method="post" action="/admin/users">\(Layout.csrfField(csrf))
            <label for="newname">User name (letters, digits, dot, dash, underscore)</label><input id="newname" name="name" required pattern="[A-Za-z0-9._-]{2,64}">
            <label for="newrole">Role</label><select id="newrole" name="role">\(roleOptions)</select>
            <p><button type="submit">Add user</button></p></form>
            <p class="muted">A new user's password is shown once, on the next page; give it to them by a separate channel.</p>
            """)
    }
}
