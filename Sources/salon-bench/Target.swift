import ArgumentParser
import SalonClient
import SalonSecurity

/// Where the server is, how to reach it and which accounts to use.
struct Target: ParsableArguments {
    @Option(help: "Server address (loopback only).") var host = "127.0.0.1"
    @Option(help: "Client port.") var port = 5222
    @Option(name: .customLong("also-port"),
            help: "Another node's client port (a cluster; repeatable): account N connects to the Nth of all the ports in turn.")
    var otherPorts: [Int] = []
    @Option(help: "XMPP domain.") var domain = "localhost"
    @Option(help: "plain, starttls or tls (direct TLS).") var security = "starttls"
    @Option(help: "Account name pattern; %d is the account number.") var user = "bench%d"
    @Option(help: "Password pattern; %d is the account number.") var password = "bench%d"
    @Option(help: "SASL mechanism (default: the strongest offered).") var mechanism: String?
    @Option(help: "Seconds to wait for any one answer before counting a failure.") var timeout = 30
    @Option(help: "The server's process id, to read its CPU time and memory from /proc (repeatable: a cluster's nodes, summed).")
    var serverPid: [Int32] = []
    @Option(help: "The database server's process id (PostgreSQL's postmaster): its CPU time and its children's, reported apart.")
    var databasePid: Int32?

    func validate() throws {
        guard host == "localhost" || host == "::1" || host.hasPrefix("127.") else {
            throw ValidationError("salon-bench only targets loopback addresses")
        }
        guard ["plain", "starttls", "tls"].contains(security) else { throw ValidationError("--security is plain, starttls or tls") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    static func name(_ pattern: String, _ index: Int) -> String {
        pattern.replacingOccurrences(of: "%d", with: String(index))
    }

    /// Client options for this target.
    var options: XMPPClient.Options {
        var options = XMPPClient.Options(port: port, domain: domain,
                                         security: security == "tls" ? .directTLS : security == "plain" ? .plain : .startTLS)
        options.host = host
        options.mechanism = mechanism
        options.timeout = .seconds(timeout)
        return options
    }

    /// Account number `index`'s name and password.
    func account(_ index: Int) -> (user: String, password: String) {
        (Self.name(user, index), Self.name(password, index))
    }

    /// Connects, authenticates and binds as account number `index` (on the client's single loop),
    /// offering a TLS session to resume and connecting from `source` when given.
    func login(account index: Int, session: TLSSession? = nil, from source: String? = nil) async throws -> XMPPClient {
        let (user, password) = account(index)
        var options = self.options
        options.tlsSession = session
        options.localAddress = source
        if !otherPorts.isEmpty {
            let ports = [port] + otherPorts
            options.port = ports[index % ports.count]
        }
        return try await XMPPClient.connect(options, username: user, password: password)
    }

    /// Logs in once as accounts 1…`count` and leaves, untimed. Real clients keep their SCRAM
    /// keys (RFC 5802 §5.1); so does this one afterwards, and a run then measures the server
    /// rather than the client's PBKDF2.
    /// Returns each account's TLS session to resume (nil where the server gave none).
    @discardableResult
    func warmKeyCache(accounts count: Int, concurrency: Int) async -> [TLSSession?] {
        await concurrently(count, limit: concurrency) { index -> TLSSession? in
            guard let client = try? await login(account: index + 1) else { return nil }
            let session = try? await client.resumableTLSSession()
            try? await client.channel.close()
            return session
        }
    }

    /// The server's process, when its id was given.
    var server: ServerProcess? { serverPid.isEmpty ? nil : ServerProcess(pids: serverPid, database: databasePid) }

    /// What the report says about the connection: security and mechanism.
    var label: String { "\(security), \(mechanism ?? "strongest mechanism")" }
}

/// The MUC room a scenario uses.
struct RoomOptions: ParsableArguments {
    @Option(help: "Room name (localpart).") var room = "bench"
    @Option(help: "MUC service domain (default: chat.<domain>).") var mucDomain: String?

    /// The room's bare JID on `target`'s server.
    func jid(on target: Target) -> String { "\(room)@\(mucDomain ?? "chat.\(target.domain)")" }
}
