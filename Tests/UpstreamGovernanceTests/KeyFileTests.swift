import Crypto
import Foundation
import Testing
@testable import UpstreamGovernance

@Suite("The key file: created once, atomically, owner-only; a damaged or exposed key is refused")
struct KeyFileTests {
    @Test("a new key is one line of text with check digits, mode 0600, and loads back the same")
    func createAndLoad() throws {
        let dir = try temporaryFolder()
        let path = dir + "/k.key"
        let (key, created) = try SecretKeyFile.loadOrCreate(at: path)
        #expect(created)
        #expect(mode(of: path) == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("upstream-key v1 "))
        #expect(text.count == "upstream-key v1 ".count + 64 + 1 + 8 + 1)
        let (again, createdAgain) = try SecretKeyFile.loadOrCreate(at: path)
        #expect(!createdAgain)
        #expect(bytes(again) == bytes(key))
        // No temporary files are left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["k.key"])
    }

    @Test("a truncated, empty, edited or binary key is refused and never replaced",
          arguments: ["", "upstream-key v1 abcd 12345678\n", "random bytes that are not a key\n", "BINARY"])
    func corruptKeyRefused(_ content: String) throws {
        let dir = try temporaryFolder()
        let path = dir + "/k.key"
        let data = content == "BINARY" ? Data(Array(0..<32).map(UInt8.init)) : Data(content.utf8)
        try SecureFile.write(path: path, data: Array(data), mode: 0o600)
        #expect(throws: GovernanceError.self) { try SecretKeyFile.loadOrCreate(at: path) }
        do { _ = try SecretKeyFile.loadOrCreate(at: path) } catch {
            #expect("\(error)".contains("not a valid Upstream key"))
            #expect("\(error)".contains("was not replaced"))
        }
        #expect(FileManager.default.contents(atPath: path) == data, "the damaged key was changed")
    }

    @Test("a key whose digits were changed fails its check digits")
    func bitFlipRefused() throws {
        let dir = try temporaryFolder()
        let path = dir + "/k.key"
        _ = try SecretKeyFile.loadOrCreate(at: path)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let i = text.index(text.startIndex, offsetBy: 20)
        text.replaceSubrange(i...i, with: text[i] == "0" ? "1" : "0")
        try SecureFile.write(path: path, text: text)
        #expect(throws: GovernanceError.keyCorrupt(path, "the key does not match its check digits (it was damaged or edited)")) {
            try SecretKeyFile.load(at: path)
        }
    }

    @Test("a key readable by group or others is refused with a message saying chmod 600", arguments: [0o644, 0o640, 0o604])
    func exposedKeyRefused(_ m: Int) throws {
        let dir = try temporaryFolder()
        let path = dir + "/k.key"
        _ = try SecretKeyFile.loadOrCreate(at: path)
        chmod(path, mode_t(m))
        do {
            _ = try SecretKeyFile.loadOrCreate(at: path)
            Issue.record("an exposed key was accepted")
        } catch {
            #expect(error as? GovernanceError == .keyExposed(path, mode: m))
            #expect("\(error)".contains("chmod 600 \(path)"))
        }
    }

    @Test("32 threads creating the same key at once end with exactly one key, the one every thread got")
    func concurrentFirstUse() throws {
        let dir = try temporaryFolder()
        let path = dir + "/k.key"
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 32) { _ in
            results.add(Result { try SecretKeyFile.loadOrCreate(at: path) })
        }
        let all = try results.values.map { try $0.get() }
        #expect(all.filter(\.created).count == 1)
        let onDisk = try #require(try SecretKeyFile.load(at: path))
        #expect(all.allSatisfy { bytes($0.key) == bytes(onDisk) })
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["k.key"])
    }
}

/// Results gathered from concurrent threads.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var _values: [Result<(key: SymmetricKey, created: Bool), any Error>] = []
    func add(_ r: Result<(key: SymmetricKey, created: Bool), any Error>) { lock.lock(); _values.append(r); lock.unlock() }
    var values: [Result<(key: SymmetricKey, created: Bool), any Error>] { lock.lock(); defer { lock.unlock() }; return _values }
}
