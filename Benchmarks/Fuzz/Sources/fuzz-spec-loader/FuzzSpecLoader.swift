import Foundation
import UpstreamIngest
import UpstreamStore

let file: String = {
    let path = NSTemporaryDirectory() + "upstream-fuzz-spec-\(getpid()).csv"
    let text = "ID,Surname,Forename,DOB,Sex,NHS,ArrestDate,Flags\n1,SMITH,ANNA,03/02/2005,F,943 476 5919,01/05/2020 10:15,KNIFE\n"
        + "2,JONES,BEN,31/02/2005,M,,02/05/2020 11:00,\n"
    FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    return path
}()

/// libFuzzer's entry point: parses `data` as a spec; a spec that loads then loads a small file, which must
/// balance. Any error but `IngestError` traps, which libFuzzer reports with the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpecLoader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let spec: SourceSpec
    do {
        spec = try SpecLoader.parse(yaml: text, path: "fuzz.yaml")
    } catch is IngestError {
        return 0
    } catch {
        preconditionFailure("the spec loader threw \(type(of: error)): \(error)")
    }
    do {
        let report = try Ingestor(store: InMemoryStore(), loadedAt: 1_717_200_000, pipelined: false).ingest(path: file, spec: spec)
        precondition(report.counts.balances, "rows read != loaded + quarantined")
    } catch is IngestError {
    } catch {
        preconditionFailure("ingest threw \(type(of: error)): \(error)")
    }
    return 0
}

/// libFuzzer's driver (in the fuzzer runtime that `-sanitize=fuzzer` links).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// The entry point. SwiftPM links an executable target's `main` to `<module>_main` (so tests can link it), which
/// hides libFuzzer's own `main`; this hands control to libFuzzer's driver instead.
@_cdecl("fuzz_spec_loader_main")
public func fuzzSpecLoaderMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzSpecLoader)
}
