// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Salon",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "salon", targets: ["salon"]),
        .executable(name: "salon-bench", targets: ["salon-bench"]),
        // Fuzz entry points, linked into libFuzzer binaries only by the separate Fuzz/ package.
        .library(name: "SalonFuzzTargets", targets: ["SalonFuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        // FilePath, for the configuration file (swift-configuration takes one).
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // The HTTP server (file upload now; room pages and metrics later). Only its core and
        // router are built: TLS stays Salon's own OpenSSL layer, not swift-nio-ssl.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // The room-management pages' templates.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // /metrics: swift-prometheus's registry (one per server) and the swift-metrics API it
        // implements, which `salon serve` bootstraps with that registry.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The service export's archive format (salon export / import).
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
        // PostgreSQL beside SQLite (issue #20): the client, its connection pool, bound parameters.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // System libraries the mission names: expat for XML, OpenSSL for TLS and crypto, SQLite for storage.
        .systemLibrary(name: "CExpat", pkgConfig: "expat", providers: [.apt(["libexpat1-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // glibc's malloc.h, for the server's allocator policy.
        .systemLibrary(name: "CMalloc"),

        // Vocabulary, no I/O: XML, JIDs, stanzas, errors.
        .target(name: "XMPPCore", dependencies: ["CExpat"]),
        // OpenSSL: TLS over SwiftNIO, certificates, hashes and SCRAM.
        .target(name: "SalonSecurity", dependencies: [
            "COpenSSL",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // The persistent-chat rules: pure Swift, no XMPP, no I/O.
        .target(name: "PersistentChat"),
        // SQLite through GRDB: accounts (SalonSecurity's SCRAM credentials), rosters, the chat
        // directory, room messages; PostgreSQL through PostgresNIO for the stores on the
        // backend seam (docs/ARCHITECTURE.md, section 7).
        .target(name: "SalonStore", dependencies: [
            "CSQLite", "PersistentChat", "SalonSecurity",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // A small XMPP client over NIO, shared by the tests and the benchmark.
        .target(name: "SalonClient", dependencies: [
            "XMPPCore", "SalonSecurity",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // Administration without a network: accounts, the chat directory, room content; shared
        // by the CLI, the server's ad-hoc commands and the benchmark.
        .target(name: "SalonAdmin", dependencies: [
            "SalonStore", "PersistentChat", "SalonSecurity", "XMPPCore",
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        // The server: listeners, streams, routing, components, services.
        .target(name: "SalonServer", dependencies: [
            "XMPPCore", "SalonSecurity", "SalonStore", "SalonAdmin", "PersistentChat",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            // Uploads stream to disk and downloads from it without blocking a thread.
            .product(name: "_NIOFileSystem", package: "swift-nio"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "salon", dependencies: [
            "SalonServer", "SalonAdmin", "SalonStore", "PersistentChat", "XMPPCore", "CMalloc",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Configuration", package: "swift-configuration"),
            .product(name: "SystemPackage", package: "swift-system"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // Load scenarios against any XMPP server, for side-by-side comparisons.
        .executableTarget(name: "salon-bench", dependencies: [
            "SalonClient", "SalonSecurity", "SalonStore", "SalonAdmin", "XMPPCore", "PersistentChat",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        // Fuzz entry points: plain functions over bytes, replayed by SalonFuzzTests and wrapped
        // as LLVMFuzzerTestOneInput by the Fuzz/ package.
        .target(name: "SalonFuzzTargets", dependencies: [
            "XMPPCore", "SalonSecurity", "SalonStore", "SalonServer", "SalonClient", "SalonAdmin", "PersistentChat",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "SalonFuzzTests", dependencies: ["SalonFuzzTargets"]),
        .testTarget(name: "XMPPCoreTests", dependencies: ["XMPPCore"]),
        .testTarget(name: "SalonSecurityTests", dependencies: [
            "SalonSecurity",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "PersistentChatTests", dependencies: ["PersistentChat"]),
        // What the test targets share: the throw-away PostgreSQL cluster's schemas.
        .target(name: "SalonTestSupport", dependencies: [
            "SalonStore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ], path: "Tests/SalonTestSupport"),
        .testTarget(name: "SalonStoreTests", dependencies: [
            "SalonStore", "SalonTestSupport", "PersistentChat", "SalonSecurity", "XMPPCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .testTarget(name: "SalonBenchTests", dependencies: [
            "salon-bench",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "SalonAdminTests", dependencies: [
            "SalonAdmin", "SalonStore", "SalonTestSupport", "PersistentChat", "SalonSecurity", "XMPPCore",
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        .testTarget(name: "SalonServerTests", dependencies: [
            "SalonServer", "SalonAdmin", "SalonClient", "SalonStore", "SalonTestSupport", "PersistentChat", "SalonSecurity", "XMPPCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
