// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Salon",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // System libraries the mission names: expat for XML, OpenSSL for TLS and crypto, SQLite for storage.
        .systemLibrary(name: "CExpat", pkgConfig: "expat", providers: [.apt(["libexpat1-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // Vocabulary, no I/O: XML, JIDs, stanzas, errors.
        .target(name: "XMPPCore", dependencies: ["CExpat"]),
        // OpenSSL: TLS over SwiftNIO, certificates, hashes and SCRAM.
        .target(name: "SalonSecurity", dependencies: [
            "COpenSSL",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // SQLite through GRDB: accounts, rosters, and later rooms and the archive.
        .target(name: "SalonStore", dependencies: [
            "CSQLite",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),

        .testTarget(name: "XMPPCoreTests", dependencies: ["XMPPCore"]),
        .testTarget(name: "SalonSecurityTests", dependencies: [
            "SalonSecurity",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "SalonStoreTests", dependencies: ["SalonStore"]),
    ],
    swiftLanguageModes: [.v6]
)
