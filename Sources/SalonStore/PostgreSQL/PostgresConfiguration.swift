import Foundation
import PostgresNIO

/// Where a PostgreSQL deployment's database is and how to reach it, read from a libpq-style URL:
/// `postgresql://user[:password]@host[:port]/database[?sslmode=…&sslrootcert=/ca.pem&host=/socket/directory]`.
/// The password may instead come from a file (`passwordFile`), so it stays out of the
/// configuration and out of `ps`.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// How the connection is protected. libpq's `require` (encrypt, trust any certificate) is
    /// not offered: a connection is either on a trusted path or verified.
    public enum TLSMode: String, Sendable {
        /// No TLS: for loopback and Unix sockets (the default there).
        case disable
        /// TLS with the server's certificate verified against the system's roots (or the CA file
        /// `sslrootcert` names) and its host name (the default for any other host).
        case verifyFull = "verify-full"
    }

    public var host: String?
    public var port: Int
    /// The directory of the server's Unix socket (`?host=/path`), used instead of host and port.
    public var socketDirectory: String?
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// The PEM file of the CA certificates the server's certificate is verified against
    /// (`?sslrootcert=`), instead of the system's roots: an organisation's own CA.
    public var rootCertificates: String?
    /// The schema Salon's tables live in (`search_path`); nil: the user's default (`public`).
    public var schema: String?
    /// The pool's most connections at once (each node has its own pool).
    public var maximumConnections: Int = 20
    /// How long opening waits for a first connection before giving up as unavailable.
    public var startupTimeout: Duration = .seconds(30)
    /// The longest one store operation may take, its wait for a pooled connection included,
    /// before it fails as unavailable: a post waits no longer than this for a database that is
    /// gone (PostgresNIO alone would keep it about a minute).
    public var operationTimeout: Duration = .seconds(5)
    /// The bound of administrative changes and reads of a whole room or journal (clearing or
    /// removing messages, deleting a room, verifying the journal) and of migrations.
    public var administrativeTimeout: Duration = .seconds(600)
    /// Operations that may wait for a connection while all `maximumConnections` are busy; more
    /// are refused at once as unavailable instead of queueing without bound.
    public var maximumWaiting: Int = 200
    /// The text search configuration the rooms' archive is searched with
    /// (`storage.postgresql.text_search`): 'simple' folds case only, as FTS5 does on SQLite.
    public var textSearch = "simple"

    /// The longest URL accepted: a configuration value, not a document.
    static let maxURLBytes = 4096

    /// Reads `url`; throws invalidArgument naming what is wrong (never the password).
    public init(url: String, passwordFile: String? = nil) throws {
        guard url.utf8.count <= Self.maxURLBytes, let components = URLComponents(string: url) else {
            throw StoreError(.invalidArgument, "storage.postgresql.url is not a URL")
        }
        guard let scheme = components.scheme, ["postgresql", "postgres"].contains(scheme) else {
            throw StoreError(.invalidArgument, "storage.postgresql.url must start with postgresql://")
        }
        let query = Dictionary(components.queryItems?.map { ($0.name, $0.value ?? "") } ?? [], uniquingKeysWith: { $1 })
        if let unknown = query.keys.first(where: { !["sslmode", "sslrootcert", "host", "schema"].contains($0) }) {
            throw StoreError(.invalidArgument, "storage.postgresql.url: unknown parameter \(unknown)")
        }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 }
        socketDirectory = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        guard host != nil || socketDirectory != nil else {
            throw StoreError(.invalidArgument, "storage.postgresql.url names no host (or ?host=/socket/directory)")
        }
        port = components.port ?? 5432
        guard (1...65535).contains(port) else {
            throw StoreError(.invalidArgument, "storage.postgresql.url: port out of range")
        }
        username = components.user ?? "salon"
        password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? username : path
        schema = query["schema"].flatMap { $0.isEmpty ? nil : $0 }
        let onTrustedPath = socketDirectory != nil || ["127.0.0.1", "::1", "localhost"].contains(host ?? "")
        if let mode = query["sslmode"] {
            guard let parsed = TLSMode(rawValue: mode) else {
                throw StoreError(.invalidArgument, "storage.postgresql.url: sslmode must be disable or verify-full")
            }
            tls = parsed
        } else {
            tls = onTrustedPath ? .disable : .verifyFull
        }
        rootCertificates = query["sslrootcert"].flatMap { $0.isEmpty ? nil : $0 }
        try checkTLS()
        if let passwordFile {
            guard password == nil else {
                throw StoreError(.invalidArgument, "give the PostgreSQL password in the URL or in a file, not both")
            }
            password = try Self.readPassword(passwordFile)
        }
    }

    /// A verified connection needs a host name to verify and, when given, a CA file to read.
    private func checkTLS() throws {
        guard tls == .verifyFull else {
            if rootCertificates != nil {
                throw StoreError(.invalidArgument, "storage.postgresql.url: sslrootcert is only used with sslmode=verify-full")
            }
            return
        }
        guard socketDirectory == nil, let host, !Self.isIPAddress(host) else {
            throw StoreError(.invalidArgument, "storage.postgresql.url: sslmode=verify-full checks the server's certificate against its "
                             + "host name: give the host's name, not an IP address or a socket directory")
        }
        if let rootCertificates, !FileManager.default.isReadableFile(atPath: rootCertificates) {
            throw StoreError(.invalidArgument, "storage.postgresql.url: cannot read the CA file \(rootCertificates) (sslrootcert)")
        }
    }

    private static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return inet_pton(AF_INET, bare, &v4) == 1 || inet_pton(AF_INET6, bare, &v6) == 1
    }

    /// The first line of `path`, without its line end.
    private static func readPassword(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 4096,
              let text = String(data: data, encoding: .utf8) else {
            throw StoreError(.invalidArgument, "cannot read the PostgreSQL password file \(path)")
        }
        return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    /// The configuration PostgresNIO's client takes.
    public var client: PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketDirectory {
            configuration = .init(unixSocketPath: socketDirectory + "/.s.PGSQL.\(port)",
                                  username: username, password: password, database: database)
        } else {
            configuration = .init(host: host ?? "localhost", port: port, username: username, password: password,
                                  database: database,
                                  tls: tls == .disable ? .disable : .require(clientTLS))
        }
        configuration.options.additionalStartupParameters = startupParameters
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// The configuration of one connection outside the pool, made the same way as the pool's
    /// (the cluster's LISTEN holds one for as long as the node runs).
    public func connection() throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socketDirectory {
            configuration = .init(unixSocketPath: socketDirectory + "/.s.PGSQL.\(port)",
                                  username: username, password: password, database: database)
        } else {
            configuration = .init(host: host ?? "localhost", port: port, username: username, password: password,
                                  database: database,
                                  tls: tls == .disable ? .disable : .require(try NIOSSLContext(configuration: clientTLS)))
        }
        configuration.options.additionalStartupParameters = startupParameters
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// Every connection's session settings.
    private var startupParameters: [(String, String)] {
        // A prepared statement first run on a near-empty table (a fresh room archive) would keep
        // that table's generic plan, a sequential scan, as the table grows: each execution is
        // planned for the table as it is, which costs little beside what a bad plan costs.
        // JIT compilation pays off for long analytic queries; a search over a big room crossed its
        // cost threshold and spent longer compiling than counting.
        [("plan_cache_mode", "force_custom_plan"), ("jit", "off")] + (schema.map { [("search_path", $0)] } ?? [])
    }

    /// Verification of the server's certificate chain and host name (PostgresNIO names the host).
    private var clientTLS: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        if let rootCertificates { configuration.trustRoots = .file(rootCertificates) }
        return configuration
    }

    /// The database's address for logs and errors: never the password.
    public var description: String {
        let place = socketDirectory.map { "\($0) port \(port)" } ?? "\(host ?? "localhost"):\(port)"
        return "postgresql://\(username)@\(place)/\(database)" + (schema.map { " schema \($0)" } ?? "")
    }
}
