import ArgumentParser
import Foundation
import NIOPosix
import SalonClient

/// `login`: connect + TLS + SASL + bind, as many times as asked, from one event loop.
struct LoginScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "login", abstract: "Full logins per second (connect, TLS, SASL, bind).")

    @OptionGroup var target: Target
    @Option(help: "Number of logins.") var count = 500
    @Option(help: "Logins in flight at once.") var concurrency = 10
    @Option(help: "Accounts to cycle through (bench1 … benchN).") var accounts = 10

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var options = XMPPClient.Options(port: target.port, domain: target.domain,
                                         security: target.security == "tls" ? .directTLS : target.security == "plain" ? .plain : .startTLS)
        options.host = target.host
        options.mechanism = target.mechanism
        let clientOptions = options
        let (userPattern, passwordPattern) = (target.user, target.password)
        let (count, concurrency, accounts) = (count, concurrency, accounts)
        let started = ContinuousClock.now
        let failures = try await withThrowingTaskGroup(of: Int.self) { tasks in
            let perWorker = count / concurrency
            for worker in 0..<concurrency {
                tasks.addTask {
                    var failed = 0
                    for attempt in 0..<perWorker {
                        let index = (worker * perWorker + attempt) % accounts + 1
                        do {
                            let client = try await XMPPClient.connect(clientOptions, username: Target.name(userPattern, index),
                                                                      password: Target.name(passwordPattern, index), group: group)
                            try? await client.channel.close()
                        } catch {
                            failed += 1
                        }
                    }
                    return failed
                }
            }
            return try await tasks.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let done = (count / concurrency) * concurrency
        print(String(format: "login: %d logins (%d failed) in %.2f s = %.0f logins/s [%@, %@]",
                     done, failures, seconds, Double(done - failures) / seconds, target.security, options.mechanism ?? "strongest"))
        try await group.shutdownGracefully()
    }
}
