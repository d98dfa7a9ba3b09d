import Foundation
import SalonStore

/// A throw-away cluster of one test's own, from `Scripts/postgres`.
public struct PrivateCluster: Sendable {
    public let directory: String
    public let url: String

    /// Stops the server, keeping its data: the database goes away.
    public func halt() throws { _ = try Self.script("halt", directory) }

    /// Starts the halted server again on the same port.
    public func resume() throws { _ = try Self.script("resume", directory) }

    /// The CA that signed the server's certificate, for a cluster started with TLS.
    public func certificateAuthority() throws -> String { try Self.script("ca", directory) }

    /// Runs `body` with a new cluster, deleted after; with `tls`, the server also takes TLS
    /// connections, its certificate for "localhost" signed by `certificateAuthority()`.
    public static func with<T: Sendable>(tls: Bool = false, _ body: (PrivateCluster) async throws -> T) async throws -> T {
        let directory = try script(["start"], environment: tls ? ["SALON_POSTGRES_TLS": "1"] : [:])
        defer { _ = try? script("stop", directory) }
        return try await body(PrivateCluster(directory: directory, url: try script("url", directory)))
    }

    /// `Scripts/postgres` with `arguments`; its output's last line, or a failure with its output.
    private static func script(_ arguments: String...) throws -> String {
        try script(arguments)
    }

    private static func script(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let outcome = try Spawn.run(root.appendingPathComponent("Scripts/postgres").path, arguments, environment: environment)
        guard outcome.succeeded else {
            throw StoreError(.other, "Scripts/postgres \(arguments.joined(separator: " ")) failed: \(outcome.output)")
        }
        return outcome.output.split(separator: "\n").last.map(String.init) ?? ""
    }
}
