import Foundation
import Logging
import SalonAdmin
import SalonClient
@testable import SalonServer
import SalonStore
import SalonTestSupport
import Testing
import XMPPCore

/// Which backend the wire tests run on: SQLite by default; PostgreSQL in `Scripts/test`'s
/// second pass (SALON_TEST_SERVER_BACKEND=postgresql), each server directory with a schema of
/// the test cluster of its own, so a server restarted on its directory finds its data.
enum ServerTestBackend {
    static let isPostgreSQL = ProcessInfo.processInfo.environment["SALON_TEST_SERVER_BACKEND"] == "postgresql"

    /// The schema of a server directory: its letters and digits, which hold its UUID.
    static func schema(for directory: String) -> String {
        "srv_" + String(directory.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.suffix(48))
    }

    /// The cluster, at the directory's schema, with a small pool: many servers run at once.
    static func configuration(for directory: String) async throws -> PostgresConfiguration {
        var configuration = try await TestCluster.schema(schema(for: directory))
        configuration.maximumConnections = 4
        return configuration
    }
}

/// A real Salon on loopback with ephemeral ports, a temporary data directory and a generated
/// certificate, for tests that talk to it over the wire.
final class TestServer: Sendable {
    static let domain = "salon.test"
    let server: SalonServer
    let ports: BoundPorts
    let directory: String
    let accounts: AccountService
    let database: any StoreBackend

    static func start(requireTLS: Bool = true, components: [String: String] = [:], directory: String? = nil,
                      log: LogCapture? = nil,
                      configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        let directory = directory ?? ScratchDirectory.path("salon-test")
        var configuration = ServerConfiguration(domain: domain)
        configuration.c2sPort = 0
        configuration.directTLSPort = 0
        configuration.componentPort = 0
        configuration.http.port = 0
        configuration.components = components
        configuration.requireTLS = requireTLS
        configuration.dataDirectory = directory + "/data"
        configuration.certificateDirectory = directory + "/certs"
        // A slow run (a sanitizer) logs in slowly too; a test that sets its own timeout keeps it.
        configuration.limits.negotiationTimeout *= TimeoutScale.factor
        if ServerTestBackend.isPostgreSQL {
            configuration.administration.storage = .postgresql(try await ServerTestBackend.configuration(for: directory))
        }
        configure(&configuration)
        var logger = Logger(label: "salon-test")
        logger.logLevel = ProcessInfo.processInfo.environment["SALON_TEST_LOG"] != nil ? .debug : .critical
        if let log { logger = log.logger }
        let server = SalonServer(configuration: configuration, logger: logger)
        let ports = try await server.start()
        let database = try #require(server.store)
        return TestServer(server: server, ports: ports, directory: directory,
                          accounts: AccountService(database: database, domain: domain), database: database)
    }

    private init(server: SalonServer, ports: BoundPorts, directory: String, accounts: AccountService, database: any StoreBackend) {
        self.server = server
        self.ports = ports
        self.directory = directory
        self.accounts = accounts
        self.database = database
    }

    /// Creates an account with a password equal to its name.
    @discardableResult
    func addUser(_ name: String) async throws -> JID {
        try await accounts.add(name, password: "pw-\(name)").jid
    }

    func options(_ security: XMPPClient.Security = .startTLS, resource: String? = nil) -> XMPPClient.Options {
        var options = XMPPClient.Options(port: security == .directTLS ? ports.directTLS! : ports.c2s, domain: Self.domain, security: security)
        options.resource = resource
        return options
    }

    /// Logs `name` in (account created beforehand).
    func login(_ name: String, security: XMPPClient.Security = .startTLS, resource: String? = nil,
               mechanism: String? = nil) async throws -> XMPPClient {
        var options = options(security, resource: resource)
        options.mechanism = mechanism
        return try await XMPPClient.connect(options, username: name, password: "pw-\(name)")
    }

    /// Logs in and sends initial presence, waiting for the echo of its own presence.
    func online(_ name: String, resource: String? = nil, priority: Int = 0) async throws -> XMPPClient {
        let client = try await login(name, resource: resource)
        var presence = XMLElement("presence", namespace: NS.client)
        if priority != 0 {
            var p = XMLElement("priority", namespace: NS.client)
            p.append(text: "\(priority)")
            presence.append(p)
        }
        client.send(presence)
        try await client.ping()
        return client
    }

    /// Stops the server, which closes its database.
    func stop() async {
        await server.stop()
    }

    func removeFiles() {
        try? FileManager.default.removeItem(atPath: directory)
        if ServerTestBackend.isPostgreSQL {
            let schema = ServerTestBackend.schema(for: directory)
            Task { try? await TestCluster.run("DROP SCHEMA IF EXISTS \(schema) CASCADE") }
        }
    }

    /// The database of a server directory while no server runs on it.
    static func openStore(directory: String) async throws -> any StoreBackend {
        guard ServerTestBackend.isPostgreSQL else { return try SalonDatabase(directory: directory + "/data") }
        return try await PostgresBackend.open(try await ServerTestBackend.configuration(for: directory))
    }

    /// The SQLite database, for the tests that look inside it (nil on PostgreSQL).
    var sqlite: SalonDatabase? { database as? SalonDatabase }
}

extension TestServer {
    /// What the archive holds for `room` (the first page, oldest first).
    func archived(_ room: String) async throws -> [StoredMessage] {
        try await database.archive.query(ArchiveQuery(rooms: [room])).messages
    }
}

extension XMPPClient {
    /// A round trip to the server: everything sent before has been processed when it returns.
    func ping() async throws {
        let reply = try await request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": TestServer.domain],
                                                 children: [.element(XMLElement("ping", namespace: NS.ping))]))
        guard reply[attribute: "type"] == "result" else { throw ClientError("ping failed") }
    }
}

func message(to: String, body: String, type: String = "chat") -> XMLElement {
    var message = XMLElement("message", namespace: NS.client, attributes: ["to": to, "type": type])
    var b = XMLElement("body", namespace: NS.client)
    b.append(text: body)
    message.append(b)
    return message
}

/// `<name xmlns=namespace>text</name>`.
func textElement(_ name: String, namespace: String, _ text: String) -> XMLElement {
    var element = XMLElement(name, namespace: namespace)
    element.append(text: text)
    return element
}

func errorCondition(_ element: XMLElement) -> String? {
    element.child("error", namespace: NS.client)?.elements.first { $0.namespace == NS.stanzaErrors && $0.name != "text" }?.name
}

/// Runs `body` with a started server and always stops it.
func withServer(requireTLS: Bool = true, components: [String: String] = [:], log: LogCapture? = nil,
                configure: (inout ServerConfiguration) -> Void = { _ in },
                _ body: (TestServer) async throws -> Void) async throws {
    let server = try await TestServer.start(requireTLS: requireTLS, components: components, log: log, configure: configure)
    do {
        try await body(server)
    } catch {
        await server.stop()
        server.removeFiles()
        throw error
    }
    await server.stop()
    server.removeFiles()
}
