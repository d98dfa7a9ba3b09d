import Logging

/// The log PostgresNIO's pool writes to. It logs every failed connection attempt at info, so
/// an outage would fill the log with one line per retry; here those lines go to debug and
/// their error becomes the cause `PostgresHealth` names in its one unreachable line.
struct PostgresPoolLog: LogHandler {
    /// The message the pool logs for each failed attempt, and its error's metadata key.
    static let connectionFailed = "Connection creation failed"
    static let errorKey = "psql_error"
    /// The longest cause kept: an error's description, not a dump.
    static let maxCauseCharacters = 300

    let target: Logger
    let health: PostgresHealth
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level

    /// A logger writing to `target`, the pool's failed attempts told to `health`.
    static func logger(_ target: Logger, health: PostgresHealth) -> Logger {
        var logger = Logger(label: target.label) { _ in PostgresPoolLog(target: target, health: health, logLevel: target.logLevel) }
        // The pool's failures must reach `health` whatever the target's level.
        logger.logLevel = min(target.logLevel, .info)
        return logger
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var level = event.level
        if event.message.description == Self.connectionFailed {
            health.connectionFailed(Self.cause(event.metadata?[Self.errorKey].map { "\($0)" } ?? "unknown error"))
            level = .debug
        }
        guard level >= target.logLevel else { return }
        target.log(level: level, event.message, metadata: metadata.merging(event.metadata ?? [:]) { $1 },
                   source: event.source, file: event.file, function: event.function, line: event.line)
    }

    /// The error's description up to any query it quotes (a query's parameters are data).
    static func cause(_ description: String) -> String {
        let cut = description.range(of: ", query:").map { String(description[..<$0.lowerBound]) } ?? description
        return String(cut.prefix(maxCauseCharacters))
    }
}
