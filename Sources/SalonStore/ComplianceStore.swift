import PersistentChat

/// One journal row as stored.
public struct ComplianceRecord: Sendable, Hashable {
    public var seq: Int64
    public var time: Int64
    public var type: String
    public var actorBare: String
    public var actorFull: String
    public var room: String
    public var payload: String
    public var prevHash: String
    public var hash: String
    public var exportedAt: Int64?

    /// A journal row as stored (seq, hash and previous hash as they were written).
    public init(seq: Int64, time: Int64, type: String, actorBare: String, actorFull: String, room: String, payload: String,
                prevHash: String, hash: String, exportedAt: Int64?) {
        self.seq = seq
        self.time = time
        self.type = type
        self.actorBare = actorBare
        self.actorFull = actorFull
        self.room = room
        self.payload = payload
        self.prevHash = prevHash
        self.hash = hash
        self.exportedAt = exportedAt
    }
}

/// Who makes an administrative change the store journals itself, and when.
public struct ComplianceActor: Sendable {
    public var actor: String
    public var session: String
    public var time: Int64

    public init(actor: String, session: String = "", time: Int64) {
        self.actor = actor
        self.session = session
        self.time = time
    }
}

/// The first place the chain does not hold, or nil: the row's sequence and why.
public struct ComplianceChainBreak: Sendable, Hashable, CustomStringConvertible {
    public var seq: Int64
    public var reason: String
    public var description: String { "event \(seq): \(reason)" }
}

/// An export begun and not finished: the events it covers are fixed when it begins, so a run
/// after a crash writes the same files again (same names, same content) and finishes it.
public struct ComplianceExportIntent: Sendable, Hashable {
    public var id: Int64
    public var range: ClosedRange<Int64>
}

/// The compliance journal (design §6), its settings and its exports, on whichever backend the
/// deployment uses (`SQLiteComplianceStore`, `PostgresComplianceStore`): callers hold
/// `any ComplianceStore`. Appends on either backend make one unbroken hash chain
/// (`ComplianceChain`) however many processes or nodes append at once.
public protocol ComplianceStore: Sendable {
    /// Appends events durably in one transaction; returns the last sequence.
    @discardableResult
    func append(_ events: [ComplianceEvent]) async throws -> Int64

    /// The settings stored by `salon compliance set` or the ad-hoc command over `defaults` (the
    /// configuration file's).
    func settings(defaults: ComplianceSettings) async throws -> ComplianceSettings

    /// Changes one setting (checked by `ComplianceSettings.set`) and records the change in the
    /// journal in the same transaction — always, so turning compliance off is recorded too.
    /// Returns the settings before and after.
    func set(_ key: String, to value: String, defaults: ComplianceSettings, actor: String, session: String,
             time: Int64) async throws -> (before: ComplianceSettings, after: ComplianceSettings)

    /// Events not yet exported, oldest first, at most `limit`, from `after` on.
    func pending(after seq: Int64, limit: Int) async throws -> [ComplianceRecord]

    /// Events `first...last`, in order.
    func events(_ range: ClosedRange<Int64>) async throws -> [ComplianceRecord]

    /// How many events there are, and how many wait for export.
    func counts() async throws -> (total: Int, pending: Int)

    /// What waits for the exporter: how many events, and the time (ms since 1970) of the first
    /// of them, read through the index of pending events (a scrape costs what waits).
    func backlog() async throws -> (pending: Int, oldest: Int64?)

    /// When the exporter last finished an export (ms since 1970), or nil when it never has.
    func lastExport() async throws -> Int64?

    /// The unfinished export, if a run died before marking its events.
    func unfinishedExport() async throws -> ComplianceExportIntent?

    /// Begins an export of the oldest pending events (at most `limit`); nil when none wait.
    func beginExport(limit: Int, time: Int64) async throws -> ComplianceExportIntent?

    /// Marks the export's events exported and the export finished, in one transaction; only
    /// after its files are durably in place.
    func finishExport(_ intent: ComplianceExportIntent, files: [String], time: Int64) async throws

    /// Walks the chain from the first event and returns the first break, or nil when every
    /// hash holds; `checked` is how many events were walked.
    func verify() async throws -> (checked: Int64, firstBreak: ComplianceChainBreak?)
}

extension ComplianceStore {
    /// `pending(after:limit:)` from the first event.
    public func pending(limit: Int) async throws -> [ComplianceRecord] {
        try await pending(after: 0, limit: limit)
    }

    /// `set(_:to:defaults:actor:session:time:)` without a session.
    public func set(_ key: String, to value: String, defaults: ComplianceSettings, actor: String,
                    time: Int64) async throws -> (before: ComplianceSettings, after: ComplianceSettings) {
        try await set(key, to: value, defaults: defaults, actor: actor, session: "", time: time)
    }
}

/// Checks the chain one event at a time in sequence order, as both backends' `verify` reads it.
struct ComplianceChainWalk {
    private var expectedSeq: Int64 = 1
    private var previous = ComplianceChain.genesis
    /// How many events held.
    private(set) var checked: Int64 = 0

    /// The break `record` makes, or nil when it continues the chain.
    mutating func check(_ record: ComplianceRecord) -> ComplianceChainBreak? {
        if record.seq != expectedSeq {
            return ComplianceChainBreak(seq: record.seq, reason: "events \(expectedSeq)…\(record.seq - 1) are missing")
        }
        if record.prevHash != previous {
            return ComplianceChainBreak(seq: record.seq, reason: "its previous hash is not the hash of the event before it")
        }
        let hash = ComplianceChain.hash(seq: record.seq, time: record.time, type: record.type, actorBare: record.actorBare,
                                        actorFull: record.actorFull, room: record.room, payload: record.payload,
                                        previous: record.prevHash)
        if hash != record.hash {
            return ComplianceChainBreak(seq: record.seq, reason: "its content does not match its hash (changed after it was written)")
        }
        previous = record.hash
        expectedSeq += 1
        checked += 1
        return nil
    }
}
