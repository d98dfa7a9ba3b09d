import ArgumentParser
import Foundation
import SalonClient
import XMPPCore

/// `idle`: holds N sessions (bound, initial presence sent and answered) and reports how much
/// resident memory the server grew by, per session.
struct IdleScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle", abstract: "Idle sessions: server RSS per session (needs --server-pid).")

    @OptionGroup var target: Target
    @Option(help: "Sessions to hold (accounts 1…N).") var sessions = 1000
    @Option(help: "Sessions logging in at once.") var concurrency = 50
    @Option(help: "Seconds to let the server settle before each memory reading.") var settle = 2

    func validate() throws {
        guard sessions >= 1, concurrency >= 1, settle >= 0 else { throw ValidationError("need at least one session at a time") }
        guard target.serverPid != nil else { throw ValidationError("idle measures the server: give --server-pid") }
    }

    func run() async throws {
        guard let server = target.server else { return }
        try await Task.sleep(for: .seconds(settle))
        let before = try server.sample()
        let target = self.target
        let results = await concurrently(sessions, limit: concurrency) { index -> Result<XMPPClient, ClientError> in
            do {
                let client = try await target.login(account: index + 1)
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
        try await Task.sleep(for: .seconds(settle))
        let after = try server.sample()
        let held = results.compactMap { try? $0.get() }
        let failures = results.compactMap { result -> String? in
            if case .failure(let error) = result { return error.description }
            return nil
        }
        let perSession = Double(after.rssKiB - before.rssKiB) / Double(max(held.count, 1))
        Report.print("idle", Report.format("%d sessions held (%d failed); server RSS %.1f → %.1f MiB = %.1f KiB per session [%@]",
                                           held.count, failures.count, Double(before.rssKiB) / 1024, Double(after.rssKiB) / 1024,
                                           perSession, target.label),
                     [("sessions", Double(held.count)), ("failures", Double(failures.count)),
                      ("rss_before_mib", Double(before.rssKiB) / 1024), ("rss_after_mib", Double(after.rssKiB) / 1024),
                      ("kib_per_session", perSession)])
        Report.failures(failures)
        for client in held { try? await client.channel.close() }
    }
}
