import UpstreamGovernance
import UpstreamReports

/// The HTML around every page: one stylesheet served from `/assets/app.css` (no inline styles or scripts, so the
/// Content Security Policy can forbid both), a skip link, a navigation bar with only the pages the role may open,
/// and a sign-out form carrying the CSRF token.
enum Layout {
    /// Escapes text for HTML element content and attribute values: UpstreamReports' one escaper.
    static func escape(_ s: String) -> String { Markup.escape(s) }

    /// The pages in the navigation, with the roles that may open each.
    static let navigation: [(path: String, label: String, roles: Set<Role>)] = [
        ("/", "Dashboard", Set(Role.allCases)),
        ("/queue", "Review queue", [.practitioner, .supervisor]),
        ("/linkage", "Linkage review", [.analyst, .supervisor]),
        ("/reports/model", "Model report", [.analyst, .supervisor]),
        ("/reports/fairness", "Fairness", [.analyst, .supervisor]),
        ("/plan", "Plan", [.analyst, .supervisor]),
        ("/assessment", "Assessment", [.analyst, .supervisor]),
        ("/quality", "Data quality", [.analyst, .supervisor, .admin]),
        ("/audit", "Audit trail", [.auditor]),
        ("/admin/users", "Users", [.admin]),
        ("/account", "Account", Set(Role.allCases)),
    ]

    /// A hidden field with the session's CSRF token.
    static func csrfField(_ token: String) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(escape(token))\">"
    }

    /// A whole page.
    static func page(title: String, user: User?, csrf: String?, body: String) -> String {
        var nav = ""
        if let user, let role = user.role {
            let links = navigation.filter { $0.roles.contains(role) }
                .map { "<li><a href=\"\($0.path)\">\(escape($0.label))</a></li>" }.joined()
            nav = """
                <nav aria-label="Main"><ul>\(links)</ul>
                <form method="post" action="/logout" class="signout">\(csrf.map(csrfField) ?? "")
                <span>\(escape(user.name)) (\(escape(role.rawValue)))</span> <button type="submit">Sign out</button></form></nav>
                """
        }
        return """
            <!DOCTYPE html>
            <html lang="en-GB">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · Upstream</title>
            <link rel="stylesheet" href="/assets/app.css">
            </head>
            <body>
            <a class="skip" href="#main">Skip to content</a>
            <header><p class="brand">Upstream</p>\(nav)</header>
            <main id="main">
            \(body)
            </main>
            <footer><p>Synthetic data only. Every view of a young person is recorded in the audit trail.</p></footer>
            </body>
            </html>
            """
    }

    /// A count for an aggregate report: 1 to 4 shown as "fewer than 5" (small-number suppression).
    static func suppressed(_ n: Int) -> String { (1...4).contains(n) ? "fewer than 5" : String(n) }

    /// A table with a caption, header cells with scope, and escaped cells (cells marked raw are already HTML).
    static func table(caption: String, headers: [String], rows: [[Cell]]) -> String {
        let head = headers.map { "<th scope=\"col\">\(escape($0))</th>" }.joined()
        let body = rows.map { r in "<tr>" + r.map { "<td>\($0.html)</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return "<table><caption>\(escape(caption))</caption><thead><tr>\(head)</tr></thead><tbody>\n\(body)\n</tbody></table>"
    }

    /// A table cell: text (escaped) or markup built by the server.
    struct Cell: ExpressibleByStringLiteral {
        let html: String
        init(stringLiteral s: String) { html = Layout.escape(s) }
        init(_ text: String) { html = Layout.escape(text) }
        init(raw: String) { html = raw }
    }
}
