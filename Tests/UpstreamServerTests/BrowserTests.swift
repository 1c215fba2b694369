import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import UpstreamServer

/// Headless Chromium: the Debian package `chromium` (.ci/run installs it). Under CI (`CI=true`) a missing browser fails
/// the tests instead of skipping them.
enum Chromium {
    static let path: String? = {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser"] {
            for d in dirs where FileManager.default.isExecutableFile(atPath: "\(d)/\(name)") { return "\(d)/\(name)" }
        }
        return nil
    }()
    static let required = ProcessInfo.processInfo.environment["CI"] == "true"

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Runs Chromium headless on `url` with `arguments`; returns (standard output, console messages).
    static func run(_ url: String, _ arguments: [String], dir: URL, name: String) async throws -> (String, [String]) {
        guard let path else { throw Failure(description: "chromium not on PATH: install the Debian package chromium") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
                       "--enable-logging=stderr", "--v=0", "--user-data-dir=\(dir.appendingPathComponent("profile-" + name).path)"]
            + arguments + [url]
        let out = dir.appendingPathComponent(name + ".stdout"), err = dir.appendingPathComponent(name + ".stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        let deadline = ContinuousClock.now + .seconds(120)
        while p.isRunning {
            if ContinuousClock.now > deadline { p.terminate(); throw Failure(description: "chromium did not finish in 120 s") }
            try await Task.sleep(for: .milliseconds(100))
        }
        let stderr = String(decoding: FileManager.default.contents(atPath: err.path) ?? Data(), as: UTF8.self)
        let console = stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return (String(decoding: FileManager.default.contents(atPath: out.path) ?? Data(), as: UTF8.self), console)
    }

    /// A screenshot of `url` (1400×1000) and the console messages while rendering it.
    static func screenshot(_ url: String, dir: URL, name: String) async throws -> (Data, [String]) {
        let png = dir.appendingPathComponent(name + ".png")
        let (_, console) = try await run(url, ["--screenshot=\(png.path)", "--window-size=1400,1000"], dir: dir, name: name)
        guard let data = FileManager.default.contents(atPath: png.path) else { throw Failure(description: "chromium wrote no screenshot of \(name)") }
        return (data, console)
    }
}

/// The accessibility check run inside the page: a language, a title, one h1 and no skipped heading levels, a label
/// for every form control, alt text on images, text on buttons and links, captions and header cells on tables,
/// unique ids, and WCAG AA contrast (4.5:1, 3:1 for large text) for every visible piece of text against its
/// effective background. It writes what it found to `body[data-a11y]`.
let accessibilityScript = #"""
(function(){
var problems=[];
function lum(c){var m=c.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?/);if(!m)return null;var a=m[4]===undefined?1:parseFloat(m[4]);
var v=[m[1],m[2],m[3]].map(function(x){x=parseFloat(x)/255;return x<=0.03928?x/12.92:Math.pow((x+0.055)/1.055,2.4)});return {l:0.2126*v[0]+0.7152*v[1]+0.0722*v[2],a:a};}
function bg(el){while(el){var l=lum(getComputedStyle(el).backgroundColor);if(l&&l.a>0.5)return l.l;el=el.parentElement;}return 1;}
if(!document.documentElement.lang)problems.push('html has no lang');
if(!document.title)problems.push('no title');
var h1=document.querySelectorAll('h1').length;if(h1!==1)problems.push('h1 count '+h1);
var last=0;document.querySelectorAll('h1,h2,h3,h4,h5,h6').forEach(function(h){var n=+h.tagName[1];if(last&&n>last+1)problems.push('heading jumps from h'+last+' to h'+n);last=n;});
document.querySelectorAll('input,select,textarea').forEach(function(el){if(el.type==='hidden'||el.type==='submit')return;
var ok=(el.id&&document.querySelector('label[for="'+el.id+'"]'))||el.getAttribute('aria-label')||el.closest('label');if(!ok)problems.push('unlabelled '+el.tagName+' '+(el.name||''));});
document.querySelectorAll('img').forEach(function(i){if(!i.hasAttribute('alt'))problems.push('img without alt');});
document.querySelectorAll('button,a').forEach(function(b){if(!b.textContent.trim()&&!b.getAttribute('aria-label'))problems.push('empty '+b.tagName);});
document.querySelectorAll('table').forEach(function(t){if(!t.querySelector('caption'))problems.push('table without caption');if(!t.querySelector('th'))problems.push('table without header cells');});
var ids={};document.querySelectorAll('[id]').forEach(function(e){if(ids[e.id])problems.push('duplicate id '+e.id);ids[e.id]=1;});
var checked=0;
document.querySelectorAll('body *').forEach(function(el){var own=Array.prototype.some.call(el.childNodes,function(n){return n.nodeType===3&&n.textContent.trim();});if(!own)return;
var s=getComputedStyle(el);if(s.display==='none'||s.visibility==='hidden')return;var r=el.getBoundingClientRect();if(r.width===0||r.height===0||r.right<0)return;
var fg=lum(s.color);if(!fg)return;var b=bg(el);var hi=Math.max(fg.l,b),lo=Math.min(fg.l,b);var ratio=(hi+0.05)/(lo+0.05);var size=parseFloat(s.fontSize);
var large=size>=24||(size>=18.66&&parseInt(s.fontWeight)>=700);checked++;if(ratio<(large?3:4.5))problems.push('contrast '+ratio.toFixed(2)+' for '+el.tagName+' "'+el.textContent.trim().slice(0,30)+'"');});
document.body.setAttribute('data-a11y',JSON.stringify({checked:checked,problems:problems}));
})();
"""#

@Suite("Every page in a real browser", .serialized, .enabled(if: Chromium.path != nil || Chromium.required,
    "chromium is not on PATH: install the Debian package chromium (.ci/run does); under CI=true these tests fail instead"))
struct BrowserTests {
    struct Accessibility: Decodable { var checked: Int; var problems: [String] }

    @Test("each role's pages render non-blank with no console errors under the server's CSP, and pass the accessibility check")
    func pagesRenderAndAreAccessible() async throws {
        let f = try Fixture()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("upstream-web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("assets"), withIntermediateDirectories: true)
        defer { if ProcessInfo.processInfo.environment["UPSTREAM_WEB_KEEP_PNG"] == nil { try? FileManager.default.removeItem(at: dir) } }

        // Fetch every page over HTTP as its role.
        let pages: [(String, String)] = try await f.live { b in
            var out: [(String, String)] = []
            try await b.get("/assets/app.css").body.readableBytesView.withUnsafeBytes {
                try Data($0).write(to: dir.appendingPathComponent("assets/app.css"))
            }
            // The login page, straight from the live server: its real CSP header, its stylesheet, its favicon.
            let live = "http://localhost:\(b.client.port!)/login"
            let (png, console) = try await Chromium.screenshot(live, dir: dir, name: "login-live")
            #expect(console.isEmpty, "console messages on the live login page: \(console)")
            #expect(png.count > 8_000, "the live login page looks blank (\(png.count) bytes)")
            out.append(("login", try await b.get("/login").text))
            // A supervisor's first sign-in: the account page that asks them to set up an authenticator.
            let login = try await b.get("/login")
            let first = try await b.post("/login", form: ["csrf": Browser.csrf(login) ?? "", "name": "supervisor", "password": f.passwords["supervisor"]!])
            #expect(first.headers[.location] == "/account?enrol=1")
            out.append(("account-enrol", try await b.get("/account?enrol=1").text))
            let visits: [(String, String, String)] = [
                ("analyst", "/", "dashboard-analyst"), ("analyst", "/people/\(f.mine)", "chronology-pseudonymised"),
                ("analyst", "/quality", "quality"), ("analyst", "/audit", "forbidden"),
                ("practitioner", "/queue", "queue-practitioner"), ("supervisor", "/queue", "queue-supervisor"),
                ("auditor", "/audit", "audit"), ("admin", "/admin/users", "users"),
                ("analyst", "/linkage", "linkage-analyst"), ("supervisor", "/linkage", "linkage-supervisor"),
                ("analyst", "/reports/model", "model-report"), ("analyst", "/reports/fairness", "fairness"),
                ("supervisor", "/plan", "plan"), ("analyst", "/assessment", "assessment"), ("practitioner", "/account", "account"),
            ]
            for (role, uri, name) in visits {
                _ = try await b.signIn(role, f.passwords[role]!)
                out.append((name, try await b.get(uri).text))
            }
            let token = try await b.signIn("practitioner", f.passwords["practitioner"]!)
            out.append(("chronology-identified", try await b.post("/people/\(f.mine)/identify", form: ["csrf": token, "purpose": "home visit"]).text))
            return out
        }

        let blank = dir.appendingPathComponent("blank.html")
        try Data("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>blank</title></head><body></body></html>".utf8).write(to: blank)
        let (blankPNG, _) = try await Chromium.screenshot(blank.absoluteString, dir: dir, name: "blank")
        let csp = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'\">"
        for (name, html) in pages {
            #expect(html.contains("<html lang=\"en-GB\">"), "\(name)")
            let local = html.replacingOccurrences(of: "href=\"/assets/app.css\"", with: "href=\"assets/app.css\"")
            // 1. As served, under the same CSP (as a meta element): a non-blank render and a silent console.
            let shown = dir.appendingPathComponent(name + ".html")
            try Data(local.replacingOccurrences(of: "<head>", with: "<head>\n" + csp).utf8).write(to: shown)
            let (png, console) = try await Chromium.screenshot(shown.absoluteString, dir: dir, name: name)
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name): not a PNG")
            #expect(png.count > 3 * blankPNG.count, "\(name): \(png.count) bytes against \(blankPNG.count) for a blank page")
            #expect(Set(png).count > 200, "\(name): too few distinct bytes")
            #expect(console.isEmpty, "\(name): console messages \(console)")
            // 2. The accessibility check, injected (without the CSP, which rightly forbids scripts).
            let checked = dir.appendingPathComponent(name + "-a11y.html")
            try Data(local.replacingOccurrences(of: "</body>", with: "<script>\(accessibilityScript)</script></body>").utf8).write(to: checked)
            let (dom, _) = try await Chromium.run(checked.absoluteString, ["--dump-dom"], dir: dir, name: name + "-a11y")
            let attr = try #require(dom.range(of: "data-a11y=\"").map { dom[$0.upperBound...].prefix { $0 != "\"" } }, "\(name): the check did not run")
            let json = attr.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
            let result = try JSONDecoder().decode(Accessibility.self, from: Data(json.utf8))
            #expect(result.problems.isEmpty, "\(name): \(result.problems)")
            #expect(result.checked >= 3, "\(name): only \(result.checked) text elements checked")
        }
    }
}
