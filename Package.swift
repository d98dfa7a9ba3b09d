// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Salon",
    platforms: [.macOS(.v15)],
    dependencies: [

    ],
    targets: [
        // System libraries the mission names: expat for XML, OpenSSL for TLS and crypto, SQLite for storage.
        .systemLibrary(name: "CExpat", pkgConfig: "expat", providers: [.apt(["libexpat1-dev"])]),

        // Vocabulary, no I/O: XML, JIDs, stanzas, errors.
        .target(name: "XMPPCore", dependencies: ["CExpat"]),
        .testTarget(name: "XMPPCoreTests", dependencies: ["XMPPCore"]),
    ],
    swiftLanguageModes: [.v6]
)
