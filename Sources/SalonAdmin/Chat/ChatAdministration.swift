import PersistentChat
import SalonStore

/// Persistent-chat administration shared by every front end (the CLI now, ad-hoc commands
/// later, the MUC service's own forms): load the directory, let PersistentChat validate and
/// apply the change, save what changed. One implementation, several front ends.
public struct ChatAdministration: Sendable {
    public struct Outcome<T: Sendable>: Sendable {
        public let result: T
        public let before: ChatDirectory
        public let after: ChatDirectory
        /// The revision the save produced; nil when nothing changed (nothing was saved).
        public let revision: Int64?
    }

    public let database: any StoreBackend

    public init(database: any StoreBackend) {
        self.database = database
    }

    /// The current directory.
    public func directory() async throws -> ChatDirectory {
        try await database.chat.loadDirectory()
    }

    /// Deletes a removed room's messages.
    public func deleteMessages(room: String) async throws {
        try await database.archive.deleteMessages(room: room)
    }

    /// Applies `change` to the stored directory; nothing is saved when it throws.
    /// With `journal` (compliance on), the change is journaled in the transaction that saves it.
    public func perform<T: Sendable>(_ change: (inout ChatDirectory) throws(ChatRuleError) -> T,
                                     journal: ComplianceActor? = nil) async throws -> Outcome<T> {
        let before = try await database.chat.loadDirectory()
        var after = before
        let result = try change(&after)
        var revision: Int64?
        if after != before {
            revision = try await database.chat.save(after, previous: before, journal: journal)
        }
        return Outcome(result: result, before: before, after: after, revision: revision)
    }
}
