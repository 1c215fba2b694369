import Foundation
import Testing
import UpstreamReports

/// Headless Chromium, when installed (Debian package `chromium`; `.ci/run` installs it).
enum Chromium {
    /// The browser on `PATH`, if any.
    static let path: String? = {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser"] {
            for d in dirs where FileManager.default.isExecutableFile(atPath: "\(d)/\(name)") { return "\(d)/\(name)" }
        }
        return nil
    }()

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Renders `html` (a file in `dir`) to a PNG of 1400×1000 and returns the PNG's bytes.
    static func screenshot(_ html: URL, in dir: URL, name: String) async throws -> Data {
        guard let path else { throw Failure(description: "chromium not on PATH") }
        let png = dir.appendingPathComponent(name + ".png")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
            "--user-data-dir=\(dir.appendingPathComponent("profile-" + name).path)",
            "--screenshot=\(png.path)", "--window-size=1400,1000", html.absoluteString,
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = ContinuousClock.now + .seconds(90)
        while p.isRunning {
            if ContinuousClock.now > deadline { p.terminate(); throw Failure(description: "chromium did not finish in 90 s") }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard let data = FileManager.default.contents(atPath: png.path) else {
            throw Failure(description: "chromium wrote no screenshot (exit status \(p.terminationStatus))")
        }
        return data
    }

    /// How many different byte values occur in the PNG's compressed image data: a flat page compresses to a few.
    static func distinctBytes(_ png: Data) -> Int { Set(png).count }
}

@Suite("Pages in a real browser", .serialized, .enabled(if: Chromium.path != nil,
    "chromium is not on PATH: install the Debian package `chromium` (.ci/run does) to render the pages to PNG"))
struct BrowserTests {
    @Test func chronologyAndIndexRenderToNonBlankPNGs() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("upstream-reports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("chronology"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let blank = dir.appendingPathComponent("blank.html")
        try Data("<!DOCTYPE html><html><head><meta charset=\"utf-8\"/><title>blank</title></head><body></body></html>".utf8).write(to: blank)
        let chronology = dir.appendingPathComponent("chronology/KESTREL-4821.html")
        try Data(ChronologyPage.html(Samples.chronology(), generatedAt: "2026-11-25 21:00 UTC").utf8).write(to: chronology)
        let index = dir.appendingPathComponent("index.html")
        try Data(IndexPage.html(Samples.demo()).utf8).write(to: index)

        let blankPNG = try await Chromium.screenshot(blank, in: dir, name: "blank")
        #expect(blankPNG.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        for (page, name) in [(chronology, "chronology"), (index, "index")] {
            let png = try await Chromium.screenshot(page, in: dir, name: name)
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name): not a PNG")
            #expect(png.count > 30_000, "\(name): \(png.count) bytes looks blank")
            #expect(png.count > 5 * blankPNG.count, "\(name): \(png.count) bytes vs \(blankPNG.count) for a blank page")
            #expect(Chromium.distinctBytes(png) > 200, "\(name): too few distinct bytes")
            if let keep = ProcessInfo.processInfo.environment["UPSTREAM_REPORTS_KEEP_PNG"] {
                try? png.write(to: URL(fileURLWithPath: keep).appendingPathComponent(name + ".png"))
                try? FileManager.default.contents(atPath: page.path)?.write(to: URL(fileURLWithPath: keep).appendingPathComponent(name + ".html"))
            }
        }
    }
}
