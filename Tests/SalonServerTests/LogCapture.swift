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
        var logger = Logger(label: "salon-test") { _ in Handler(capture: self, logLevel: self.level) }
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

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level

        init(capture: LogCapture, logLevel: Logger.Level) {
            self.capture = capture
            self.logLevel = logLevel
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.message) | " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
    }
}
