import ArgumentParser
import Foundation
import SalonClient
import XMPPCore

/// `idle`: holds N sessions (bound, initial presence sent and answered) and reports how much
/// resident memory the server grew by, per session, and how long the logins took.
struct IdleScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle", abstract: "Idle sessions: server RSS per session and login time (needs --server-pid).")

    @OptionGroup var target: Target
    @Option(help: "Sessions to hold.") var sessions = 1000
    @Option(help: "Accounts the sessions share, one resource each (0: one account per session, bench1…benchN).")
    var accounts = 0
    @Option(help: "Sessions logging in at once.") var concurrency = 50
    @Option(help: "Seconds to let the server settle before each memory reading.") var settle = 2
    @Option(help: "Seconds the sessions stay quiet before the last reading, if longer than --settle (a server may give back per-session memory after a silence: Salon's limits.idle_parser_release).")
    var quiet = 0
    @Option(help: "Connect from this many loopback addresses (127.0.0.2 up) in turn; 0: the system's choice. One address has about 28,000 ports.")
    var sourceAddresses = 0

    func validate() throws {
        guard sessions >= 1, concurrency >= 1, settle >= 0, quiet >= 0, accounts >= 0 else { throw ValidationError("need at least one session at a time") }
        guard sourceAddresses >= 0, sourceAddresses <= 250 else { throw ValidationError("--source-addresses is 0…250") }
        guard !target.serverPid.isEmpty else { throw ValidationError("idle measures the server: give --server-pid") }
    }

    func run() async throws {
        guard let server = target.server else { return }
        let (target, accounts, sourceAddresses) = (self.target, self.accounts, self.sourceAddresses)
        // Shared accounts log in once first, untimed: the client keeps their SCRAM keys.
        if accounts > 0 { await target.warmKeyCache(accounts: accounts, concurrency: concurrency) }
        try await Task.sleep(for: .seconds(settle))
        let before = try server.sample()
        let stopwatch = Stopwatch()
        let results = await concurrently(sessions, limit: concurrency) { index -> Result<XMPPClient, ClientError> in
            do {
                let source = sourceAddresses > 0 ? "127.0.0.\(2 + index % sourceAddresses)" : nil
                let client = try await target.login(account: (accounts > 0 ? index % accounts : index) + 1, from: source)
                client.sendRaw("<presence/>")
                // The ping's answer means the presence was handled too.
                let ping = XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": target.domain],
                                      children: [.element(XMLElement("ping", namespace: NS.ping))])
                _ = try await client.request(ping)
                return .success(client)
            } catch {
                return .failure(ClientError("\(error)"))
            }
        }
        let loginSeconds = stopwatch.seconds
        let loggedIn = try server.sample()
        try await Task.sleep(for: .seconds(max(settle, quiet)))
        let after = try server.sample()
        let held = results.compactMap { try? $0.get() }
        let failures = results.compactMap { result -> String? in
            if case .failure(let error) = result { return error.description }
            return nil
        }
        let perSession = Double(after.rssKiB - before.rssKiB) / Double(max(held.count, 1))
        let cpuPerLogin = (loggedIn.cpuMicroseconds - before.cpuMicroseconds) / Double(max(held.count, 1))
        Report.print("idle", Report.format("%d sessions held (%d failed); logged in in %.1f s (%.0f/s, server %.0f µs CPU each); "
                                           + "server RSS %.1f → %.1f MiB = %.1f KiB per session [%@]",
                                           held.count, failures.count, loginSeconds, Double(held.count) / loginSeconds, cpuPerLogin,
                                           Double(before.rssKiB) / 1024, Double(after.rssKiB) / 1024, perSession, target.label),
                     [("sessions", Double(held.count)), ("failures", Double(failures.count)),
                      ("login_s", loginSeconds), ("cpu_us_per_login", cpuPerLogin),
                      ("rss_before_mib", Double(before.rssKiB) / 1024), ("rss_after_mib", Double(after.rssKiB) / 1024),
                      ("kib_per_session", perSession)])
        Report.failures(failures)
        for client in held { try? await client.channel.close() }
    }
}
