import SalonFuzzTargets

#if canImport(Glibc)
import Glibc
#endif

// One binary holds every target; SALON_FUZZ_TARGET picks one (Scripts/fuzz sets it), so the
// instrumented dependencies are built and linked once.
nonisolated(unsafe) private var selected: FuzzTarget?

/// libFuzzer's driver (compiler-rt), entered from our own main: SwiftPM links an executable
/// with `main` defined as `<module>_main`, so libFuzzer's `main` is never pulled in.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("salon_fuzz_main")
func salonFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let name = getenv("SALON_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget.named(name) else {
        print("salon-fuzz: set SALON_FUZZ_TARGET to one of: \(FuzzTarget.all.map(\.name).joined(separator: ", "))")
        return 2
    }
    selected = target
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzerTestOneInput)
}

/// LLVMFuzzerTestOneInput's contract: called once per input, returns 0.
private func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selected?.run(bytes)
    return 0
}
