// swift-tools-version:6.1
// The libFuzzer binary, kept out of the main package so that its builds and CI never link
// libFuzzer. Built by Scripts/fuzz with -sanitize=fuzzer,address; see docs/FUZZING.md.
import PackageDescription

let package = Package(
    name: "SalonFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Salon", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "salon-fuzz",
            dependencies: [.product(name: "SalonFuzzTargets", package: "Salon")],
            // No top-level code: the entry point is the @_cdecl'd salon_fuzz_main.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])],
            // gold fails on this link (an internal error reading the sanitized objects' DWARF).
            linkerSettings: [.unsafeFlags(["-Xclang-linker", "-fuse-ld=lld"])]
        ),
    ],
    swiftLanguageModes: [.v6]
)
