import PersistentChat

/// The archive's group commit, on whichever backend the deployment uses (`SQLiteArchiveWriter`,
/// `PostgresArchiveWriter`): appends from many rooms are gathered and committed together, and
/// each caller is told only after the transaction holding its message has committed — only then
/// may the message be broadcast. Sequences are unique and ordered per room. One per node.
public protocol ArchiveWriter: AnyObject, Sendable {
    /// What the owner learns of each group commit (the server's metrics; SalonStore keeps none).
    typealias CommitObserver = @Sendable (_ messages: Int, _ duration: Duration) -> Void
    /// What a waiting append is told: its message's sequence once committed, or the failure.
    typealias Caller = @Sendable (Result<Int64, any Error>) -> Void
    /// What a waiting personal append is told: for each copy, whether it was archived (its
    /// owner's preferences, an existing account), or the failure.
    typealias PersonalCaller = @Sendable (Result<[Bool], any Error>) -> Void
    /// What a waiting journal append is told: committed, or the failure.
    typealias JournalCaller = @Sendable (Result<Void, any Error>) -> Void

    /// Queues `message` now — messages queued by one caller are archived in that order — and
    /// calls `completion` with its sequence once its transaction has committed (or the failure:
    /// invalidArgument for a malformed message, conflict for a stanza-id already archived, busy
    /// when too many appends wait, unavailable when the database cannot be reached).
    func append(_ message: StoredMessage, completion: @escaping Caller)

    /// Queues `message` as `append(_:completion:)` does, and tells `sink` its result, marked
    /// `token`, once its transaction has committed, followed by `commitEnded` for the whole
    /// group commit (see ArchiveCommitSink).
    func append(_ message: StoredMessage, token: UInt64, sink: any ArchiveCommitSink)

    /// Archives the copies of one 1:1 message (the sender's and the recipient's, each for its
    /// owner's archive) in one transaction; tells `completion` which copies were kept.
    func append(personal copies: [PersonalMessage], completion: @escaping PersonalCaller)

    /// Appends compliance events to the journal in the next group commit (with the posts
    /// queued before them) and calls `completion` once committed.
    func journal(_ events: [ComplianceEvent], completion: @escaping JournalCaller)

    /// Whether `close` was called: appends now fail.
    var isClosed: Bool { get }

    /// Refuses further appends and returns once every pending one has committed (or failed).
    func close() async
}

extension ArchiveWriter {
    /// Archives `message` and returns its sequence once its transaction has committed.
    /// Cancelling the caller does not withdraw the message.
    public func append(_ message: StoredMessage) async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            append(message) { continuation.resume(with: $0) }
        }
    }

    /// `append(personal:completion:)` awaited.
    public func append(personal copies: [PersonalMessage]) async throws -> [Bool] {
        try await withCheckedThrowingContinuation { continuation in
            append(personal: copies) { continuation.resume(with: $0) }
        }
    }

    /// `journal(_:completion:)` awaited.
    public func journal(_ events: [ComplianceEvent]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            journal(events) { continuation.resume(with: $0) }
        }
    }
}
