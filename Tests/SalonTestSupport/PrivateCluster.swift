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
    /// Spawned and awaited directly, output to a file: Foundation's `Process` did not see the
    /// script end inside the test runner (its child was never reaped), so the test hung.
    private static func script(_ arguments: String...) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("salon-postgres-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        let words = [root.appendingPathComponent("Scripts/postgres").path] + arguments
        let command = words.map(quoted).joined(separator: " ") + " >" + quoted(output.path) + " 2>&1"
        let shell: [String] = ["/bin/sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = shell.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0 else {
            throw StoreError(.other, "cannot run Scripts/postgres")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        // Exited (low seven bits clear) with status 0.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw StoreError(.other, "Scripts/postgres \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text.split(separator: "\n").last.map(String.init) ?? ""
    }

    private static func quoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
