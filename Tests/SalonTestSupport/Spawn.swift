import Foundation

/// Runs a program to its end, its standard output and error captured through a file.
///
/// Tests spawn with posix_spawn, never with Foundation's `Process`: on Linux its `run()` reads
/// each `/proc/self/fd` entry past the end of readdir's buffer and crashed the test runner once
/// it had many descriptors open (swift-corelibs-foundation pull request 5472), and it did not
/// reap a child inside the runner, so a test waited forever.
public enum Spawn {
    public struct Outcome: Sendable {
        /// The exit status, or nil when a signal ended the program.
        public let status: Int32?
        /// Standard output and standard error, interleaved.
        public let output: String

        public var succeeded: Bool { status == 0 }
    }

    /// Runs `program` (looked up in PATH when it has no slash) with `arguments`.
    public static func run(_ program: String, _ arguments: [String]) throws -> Outcome {
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("salon-spawn-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: capture) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, capture.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, program, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw SpawnError(description: "cannot run \(program): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOf: capture, encoding: .utf8)) ?? ""
        // Exited when the low seven bits are clear; the exit status is the next byte.
        return Outcome(status: status & 0x7f == 0 ? (status >> 8) & 0xff : nil, output: output)
    }
}

public struct SpawnError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
