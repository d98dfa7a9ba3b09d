import ArgumentParser

/// `login`: connect + TLS + SASL + bind, as many times as asked, a limited number at a time.
struct LoginScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "login", abstract: "Full logins per second (connect, TLS, SASL, bind).")

    @OptionGroup var target: Target
    @Option(help: "Number of logins.") var count = 500
    @Option(help: "Logins in flight at once.") var concurrency = 10
    @Option(help: "Accounts to cycle through (bench1 … benchN).") var accounts = 10
    @Flag(help: "Skip the untimed first login per account (it fills the client's SCRAM key cache).") var cold = false

    func validate() throws {
        guard count >= 1, concurrency >= 1, accounts >= 1 else { throw ValidationError("need at least one login, one at a time, on one account") }
    }

    func run() async throws {
        let (target, accounts) = (self.target, self.accounts)
        let server = target.server
        if !cold { await target.warmKeyCache(accounts: accounts, concurrency: concurrency) }
        let before = try server?.sample()
        let clientLoad = ProcessLoad()
        let stopwatch = Stopwatch()
        let reasons = await concurrently(count, limit: concurrency) { attempt -> String? in
            do {
                let client = try await target.login(account: attempt % accounts + 1)
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
        Report.print("login", Report.format("%d logins (%d failed, %d at a time) in %.2f s = %.0f logins/s%@ [%@]",
                                            count, failures, concurrency, seconds, rate, serverFields.text + clientFields.text, target.label),
                     [("logins_per_s", rate), ("failures", Double(failures))] + serverFields.fields + clientFields.fields)
        Report.failures(reasons)
    }
}
