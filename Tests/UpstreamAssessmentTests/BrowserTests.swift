import Foundation
import Testing
import UpstreamReports
@testable import UpstreamAssessment

/// Headless Chromium: the Debian package `chromium` (.ci/run installs it). Under CI (`CI=true`) a missing browser fails
/// the test instead of skipping it.
enum Browser {
    static let path: String? = {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser"] {
            for d in dirs where FileManager.default.isExecutableFile(atPath: "\(d)/\(name)") { return "\(d)/\(name)" }
        }
        return nil
    }()
    static let required = ProcessInfo.processInfo.environment["CI"] == "true"

    struct Failure: Error, CustomStringConvertible { var description: String }

    static func run(_ arguments: [String], dir: URL, name: String) async throws {
        guard let path else { throw Failure(description: "chromium not on PATH: install the Debian package chromium") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
                       "--user-data-dir=\(dir.appendingPathComponent("profile-" + name).path)"] + arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = ContinuousClock.now + .seconds(120)
        while p.isRunning {
            if ContinuousClock.now > deadline { p.terminate(); throw Failure(description: "chromium did not finish in 120 s") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Pages of a PDF: its `/Type /Page` objects (not `/Pages`).
    static func pageCount(_ pdf: Data) -> Int {
        let text = String(decoding: pdf, as: UTF8.self)
        var n = 0
        var rest = text[...]
        while let r = rest.range(of: "/Type") {
            var after = rest[r.upperBound...].drop { $0 == " " || $0 == "\n" || $0 == "\r" }
            if after.hasPrefix("/Page") {
                after = after.dropFirst(5)
                if !after.hasPrefix("s") { n += 1 }
            }
            rest = rest[r.upperBound...]
        }
        return n
    }
}

@Suite("The assessment in a real browser", .serialized, .enabled(if: Browser.path != nil || Browser.required,
    "chromium is not on PATH: install the Debian package chromium (.ci/run does); under CI=true this test fails instead"))
struct AssessmentBrowserTests {
    @Test("the report renders to a non-blank page and prints to a PDF of several pages")
    func rendersAndPrints() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("upstream-assess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let html = dir.appendingPathComponent("assessment.html")
        try Data(AssessmentPage.html(try Sample.assessment()).utf8).write(to: html)
        let blank = dir.appendingPathComponent("blank.html")
        try Data("<!DOCTYPE html><html><head><meta charset=\"utf-8\"/><title>blank</title></head><body></body></html>".utf8).write(to: blank)

        let png = dir.appendingPathComponent("assessment.png"), blankPNG = dir.appendingPathComponent("blank.png")
        try await Browser.run(["--screenshot=\(png.path)", "--window-size=1400,1000", html.absoluteString], dir: dir, name: "png")
        try await Browser.run(["--screenshot=\(blankPNG.path)", "--window-size=1400,1000", blank.absoluteString], dir: dir, name: "blank")
        let image = try #require(FileManager.default.contents(atPath: png.path), "no screenshot")
        let blankImage = try #require(FileManager.default.contents(atPath: blankPNG.path), "no blank screenshot")
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(image.count > 5 * blankImage.count, "\(image.count) bytes against \(blankImage.count) for a blank page")
        #expect(Set(image).count > 200)

        let pdf = dir.appendingPathComponent("assessment.pdf")
        try await Browser.run(["--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)", html.absoluteString], dir: dir, name: "pdf")
        let data = try #require(FileManager.default.contents(atPath: pdf.path), "no PDF")
        #expect(data.starts(with: Array("%PDF".utf8)))
        let pages = Browser.pageCount(data)
        // The executive summary has a page to itself, the methods annex starts a new page, and the sections between
        // fill several A4 landscape pages.
        #expect(pages >= 4 && pages <= 30, "\(pages) pages")
        if let keep = ProcessInfo.processInfo.environment["UPSTREAM_REPORTS_KEEP_PNG"] {
            try? image.write(to: URL(fileURLWithPath: keep).appendingPathComponent("assessment.png"))
            try? data.write(to: URL(fileURLWithPath: keep).appendingPathComponent("assessment.pdf"))
        }
    }
}
