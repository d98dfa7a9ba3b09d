import Foundation
import Logging
@testable import SalonStore
import Synchronization
import Testing

extension Tag {
    /// Tests that stop and start a PostgreSQL cluster of their own (`Scripts/postgres`): they
    /// run wherever the PostgreSQL tests run (CI included), each with its own cluster, never
    /// the shared one other tests use at the same time.
    @Tag static var databaseFaults: Self
}

/// What a store logs, message by message, for tests about its log lines.
final class LoggedLines: Sendable {
    private let lines = Mutex<[(level: Logger.Level, message: String)]>([])

    var logger: Logger {
        var logger = Logger(label: "salon-store-test") { _ in Handler(lines: self) }
        logger.logLevel = .info
        return logger
    }

    /// The messages at `level` or above that contain `text`.
    func messages(containing text: String, atLeast level: Logger.Level = .info) -> [String] {
        lines.withLock { $0.filter { $0.level >= level && $0.message.contains(text) }.map(\.message) }
    }

    private struct Handler: LogHandler {
        let lines: LoggedLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            lines.lines.withLock { $0.append((event.level, event.message.description)) }
        }
    }
}
