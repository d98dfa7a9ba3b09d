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

    /// Runs `body` with a new cluster, deleted after.
    public static func with<T: Sendable>(_ body: (PrivateCluster) async throws -> T) async throws -> T {
        let directory = try script("start")
        defer { _ = try? script("stop", directory) }
        return try await body(PrivateCluster(directory: directory, url: try script("url", directory)))
    }

    /// `Scripts/postgres` with `arguments`; its output's last line, or a failure with its output.
    private static func script(_ arguments: String...) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let outcome = try Spawn.run(root.appendingPathComponent("Scripts/postgres").path, arguments)
        guard outcome.succeeded else {
            throw StoreError(.other, "Scripts/postgres \(arguments.joined(separator: " ")) failed: \(outcome.output)")
        }
        return outcome.output.split(separator: "\n").last.map(String.init) ?? ""
    }
}
