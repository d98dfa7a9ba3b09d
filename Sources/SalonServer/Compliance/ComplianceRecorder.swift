import Foundation
import Logging
import PersistentChat
import SalonAdmin
import SalonStore
import Synchronization

/// Records compliance events when compliance is on (design §6). Every front end asks
/// `isEnabled` first — one atomic load, so with compliance off nothing else is done or
/// allocated — then hands the events to the archive writer, whose group commit makes them
/// durable; the caller acknowledges the action only after that. The settings are the
/// configuration file's, overridden by what is stored (`refresh`, run by the exporter's loop).
final class ComplianceRecorder: Sendable {
    private let enabled = Atomic<Bool>(false)
    private let current: Mutex<ComplianceSettings>
    let defaults: ComplianceSettings
    let writer: any ArchiveWriter
    let store: any ComplianceStore
    let logger: Logger
    /// Settings, export and verification as the ad-hoc commands and the exporter run them.
    let administration: ComplianceAdministration

    init(administration: ComplianceAdministration, writer: any ArchiveWriter, store: any ComplianceStore, logger: Logger) {
        self.administration = administration
        self.defaults = administration.defaults
        self.writer = writer
        self.store = store
        self.logger = logger
        current = Mutex(defaults)
        enabled.store(defaults.enabled, ordering: .relaxed)
    }

    var isEnabled: Bool { enabled.load(ordering: .relaxed) }

    var settings: ComplianceSettings { current.withLock { $0 } }

    /// Reads the stored settings and adopts them.
    func refresh() async {
        do {
            adopt(try await store.settings(defaults: defaults))
        } catch {
            logger.storageFailure("compliance settings could not be read", error)
        }
    }

    /// Adopts `settings`; a change of the switch is logged.
    func adopt(_ settings: ComplianceSettings) {
        let before = current.withLock { state in
            defer { state = settings }
            return state
        }
        enabled.store(settings.enabled, ordering: .relaxed)
        if before.enabled != settings.enabled {
            logger.notice(settings.enabled ? "compliance recording on" : "compliance recording off")
        }
    }

    /// Journals `events` in the next group commit; `completion` runs once committed.
    /// Once the writer has closed (shutdown: sessions ending leave their rooms after it), the
    /// events are written in a durable transaction of their own.
    func record(_ events: [ComplianceEvent], completion: @escaping ArchiveWriter.JournalCaller) {
        guard writer.isClosed else { return writer.journal(events, completion: completion) }
        let store = store
        Task {
            do {
                try await store.append(events)
                completion(.success(()))
            } catch {
                completion(.failure(error))
            }
        }
    }

    /// `record(_:completion:)` awaited.
    func record(_ events: [ComplianceEvent]) async throws {
        if writer.isClosed {
            try await store.append(events)
        } else {
            try await writer.journal(events)
        }
    }

    /// Journals `events` where nobody waits for the answer (an occupant removed by a change):
    /// queued now, in order with what follows; a failure is logged.
    func recordInBackground(_ events: [ComplianceEvent]) {
        let logger = logger
        record(events) { result in
            if case .failure(let error) = result {
                logger.error("compliance event not recorded", metadata: ["type": "\(events.first?.type.rawValue ?? "")", "error": "\(error)"])
            }
        }
    }

    /// Who to journal an administrative change as, when compliance is on (nil when off).
    func journal(as actor: String, session: String = "") -> ComplianceActor? {
        isEnabled ? ComplianceActor(actor: actor, session: session, time: Self.now()) : nil
    }

    /// Who is changing the directory in this task (an ad-hoc command's requester, the occupant
    /// whose stanza a room handles); the server itself when unset.
    @TaskLocal static var changeActor: (bare: String, full: String)?

    /// The journal actor of a directory change made now, when compliance is on.
    func directoryChangeActor() -> ComplianceActor? {
        guard isEnabled else { return nil }
        let actor = Self.changeActor
        return ComplianceActor(actor: actor?.bare ?? ComplianceEvent.systemActor, session: actor?.full ?? "", time: Self.now())
    }

    /// Now, as journal time (milliseconds since 1970).
    static func now() -> Int64 { milliseconds(Date()) }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}
