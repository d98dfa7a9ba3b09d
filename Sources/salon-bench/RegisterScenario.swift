import ArgumentParser
import SalonClient
import XMPPCore

/// `register`: creates the bench accounts with in-band registration (XEP-0077), for servers
/// that allow it (Prosody, ejabberd); an account that exists already counts as done.
struct RegisterScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register", abstract: "Provision accounts 1…N by in-band registration (XEP-0077).")

    @OptionGroup var target: Target
    @Option(help: "Accounts to create (1…N).") var count = 1000
    @Option(help: "Registrations in flight at once.") var concurrency = 20

    func run() async throws {
        let target = self.target
        let stopwatch = Stopwatch()
        let outcomes = await concurrently(count, limit: concurrency) { index -> String in
            do {
                return try await Self.register(target, account: index + 1)
            } catch {
                return "\(error)"
            }
        }
        let created = outcomes.filter { $0 == "created" }.count
        let existing = outcomes.filter { $0 == "conflict" }.count
        let failures = outcomes.filter { $0 != "created" && $0 != "conflict" }
        Report.print("register", Report.format("%d accounts: %d created, %d existed, %d failed in %.2f s",
                                               count, created, existing, failures.count, stopwatch.seconds),
                     [("created", Double(created)), ("existing", Double(existing)), ("failures", Double(failures.count))])
        if let failure = failures.first { throw BenchError("registration failed: \(failure)") }
    }

    /// "created", "conflict" (the account exists), or the error condition.
    static func register(_ target: Target, account index: Int) async throws -> String {
        let client = try await XMPPClient.open(target.options)
        do {
            let outcome = try await register(client, target.account(index))
            await client.close()
            return outcome
        } catch {
            try? await client.channel.close()
            throw error
        }
    }

    private static func register(_ client: XMPPClient, _ account: (user: String, password: String)) async throws -> String {
        _ = try await client.secureStream()
        var query = XMLElement("query", namespace: "jabber:iq:register")
        for (name, value) in [("username", account.user), ("password", account.password)] {
            var field = XMLElement(name, namespace: "jabber:iq:register")
            field.append(text: value)
            query.append(field)
        }
        let result = try await client.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set"], children: [.element(query)]))
        if result[attribute: "type"] == "result" { return "created" }
        return result.child("error", namespace: NS.client)?.elements.first { $0.namespace == NS.stanzaErrors && $0.name != "text" }?.name ?? "unknown"
    }
}
