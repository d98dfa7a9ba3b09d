import Foundation
import Logging
import PersistentChat
import SalonAdmin
import SalonServer
import SalonStore

/// The in-process server the c2s-stream target talks to: started once per fuzzing process on
/// loopback (plain TCP, an ephemeral port, a temporary data directory), with an account that
/// administers the chat service and an open room with history.
final class C2SFuzzServer: Sendable {
    static let domain = "fuzz.test"
    static let chatDomain = "chat.fuzz.test"
    static let username = "fuzzer"
    static let password = "pw-fuzzer"

    let server: SalonServer
    let port: Int

    static let shared: C2SFuzzServer = {
        switch blocking({ try await start() }) {
        case .success(let server): return server
        case .failure(let error): fatalError("the fuzz server could not start: \(error)")
        }
    }()

    private init(server: SalonServer, port: Int) {
        self.server = server
        self.port = port
    }

    private static func start() async throws -> C2SFuzzServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("salon-fuzz-c2s-\(getpid())").path
        try? FileManager.default.removeItem(atPath: directory)
        var configuration = ServerConfiguration(domain: domain)
        configuration.c2sPort = 0
        configuration.directTLSPort = nil
        configuration.componentPort = nil
        configuration.http.port = nil
        configuration.requireTLS = false
        configuration.dataDirectory = directory + "/data"
        configuration.certificateDirectory = directory + "/certs"
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)

        let database = try SalonDatabase(directory: configuration.dataDirectory)
        _ = try await AccountService(database: database, domain: domain).add(username, password: password)
        _ = try await AccountService(database: database, domain: domain).add("witness", password: "pw-witness")
        let user = "\(username)@\(domain)"
        _ = try await ChatAdministration(database: database).perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
            try directory.addAdministrator(user, by: .system)
            try directory.createCategory(Category(name: "Fuzz", allowed: [.domain(domain)], creators: [.user(user)], invitations: true),
                                         by: .system)
            _ = try directory.createRoom(Room(localpart: "lobby", name: "Lobby", category: "Fuzz", privacy: .open), by: .system)
            _ = try directory.createRoom(Room(localpart: "design", name: "Design", category: "Fuzz", type: .normal, privacy: .closed,
                                              members: [.user(user)]), by: .system)
        }
        try await database.shutdown()

        var logger = Logger(label: "salon-fuzz")
        logger.logLevel = ProcessInfo.processInfo.environment["SALON_FUZZ_LOG"] != nil ? .debug : .critical
        let server = SalonServer(configuration: configuration, logger: logger)
        let ports = try await server.start()
        return C2SFuzzServer(server: server, port: ports.c2s)
    }
}
