import Logging
import Synchronization

/// Keeps what a test server logs, as "message key=value …" lines, for tests about the log.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])
    private let level: Logger.Level

    /// `level`: the lowest level kept (trace for tests about what no level may show).
    init(level: Logger.Level = .debug) {
        self.level = level
    }

    var logger: Logger {
        Self.logger(label: "salon-test", level: level) { [self] line in lines.withLock { $0.append(line) } }
    }

    /// A logger that hands each event at `level` or above to `sink` as one "message | key=value …"
    /// line, metadata sorted by key.
    static func logger(label: String, level: Logger.Level, sink: @escaping @Sendable (String) -> Void) -> Logger {
        var logger = Logger(label: label) { _ in Handler(sink: sink, logLevel: level) }
        logger.logLevel = level
        return logger
    }

    /// Every line kept, whatever its message.
    var all: [String] {
        lines.withLock { $0 }
    }

    /// The lines whose message is `message`.
    func lines(_ message: String) -> [String] {
        lines.withLock { $0.filter { $0.hasPrefix(message + " |") } }
    }

    private struct Handler: LogHandler {
        let sink: @Sendable (String) -> Void
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            sink("\(event.message) | " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
    }
}
