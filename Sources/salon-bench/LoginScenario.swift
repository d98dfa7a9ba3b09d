import ArgumentParser
import SalonSecurity
import Synchronization

/// `login`: connect + TLS + SASL + bind, as many times as asked, a limited number at a time.
struct LoginScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "login", abstract: "Full logins per second (connect, TLS, SASL, bind).")

    @OptionGroup var target: Target
    @Option(help: "Number of logins.") var count = 500
    @Option(help: "Logins in flight at once.") var concurrency = 10
    @Option(help: "Accounts to cycle through (bench1 … benchN).") var accounts = 10
    @Flag(help: "Skip the untimed first login per account (it fills the client's SCRAM key cache).") var cold = false
    @Flag(help: "Offer each account's last TLS session (TLS 1.3 resumption), as a client that keeps its ticket does.")
    var resume = false

    func validate() throws {
        guard count >= 1, concurrency >= 1, accounts >= 1 else { throw ValidationError("need at least one login, one at a time, on one account") }
        guard !resume || !cold else { throw ValidationError("--resume takes its first sessions from the untimed logins: drop --cold") }
        guard !resume || concurrency <= accounts else { throw ValidationError("--resume needs at least as many accounts as logins at once") }
    }

    func run() async throws {
        let (target, accounts, resume) = (self.target, self.accounts, self.resume)
        let server = target.server
        let sessions = Mutex<[TLSSession?]>(cold ? [] : await target.warmKeyCache(accounts: accounts, concurrency: concurrency))
        let resumed = Atomic<Int>(0)
        let before = try server?.sample()
        let clientLoad = ProcessLoad()
        let stopwatch = Stopwatch()
        let reasons = await concurrently(count, limit: concurrency) { attempt -> String? in
            let account = attempt % accounts
            do {
                let offered = resume ? sessions.withLock { $0[account] } : nil
                let client = try await target.login(account: account + 1, session: offered)
                if resume {
                    if try await client.tlsResumed() { resumed.add(1, ordering: .relaxed) }
                    let next = try await client.resumableTLSSession()
                    sessions.withLock { $0[account] = next }
                }
                try? await client.channel.close()
                return nil
            } catch {
                return "\(error)"
            }
        }.compactMap { $0 }
        let failures = reasons.count
        let seconds = stopwatch.seconds
        let after = try server?.sample()
        let rate = Double(count - failures) / seconds
        let serverFields = Report.serverFields(before, after, per: count - failures, unit: "login")
        let clientFields = Report.clientFields(clientLoad, per: count - failures, unit: "login")
        let resumedCount = resumed.load(ordering: .relaxed)
        let resumption = resume ? Report.format(", %d resumed", resumedCount) : ""
        Report.print("login", Report.format("%d logins (%d failed%@, %d at a time) in %.2f s = %.0f logins/s%@ [%@]",
                                            count, failures, resumption, concurrency, seconds, rate,
                                            serverFields.text + clientFields.text, target.label),
                     [("logins_per_s", rate), ("failures", Double(failures))] + (resume ? [("resumed", Double(resumedCount))] : [])
                        + serverFields.fields + clientFields.fields)
        Report.failures(reasons)
    }
}
