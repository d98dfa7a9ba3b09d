import Foundation
import PersistentChat
import SalonStore

/// Administrators' operations on room content (design §3: Clear, Remove messages), shared by the
/// CLI and the ad-hoc commands. Authors cannot delete their own messages: only these do.
public struct ArchiveAdministration: Sendable {
    public static let defaultReplacement = "This message was replaced by the persistent chat administrator."

    let database: any StoreBackend

    public init(database: any StoreBackend) {
        self.database = database
    }

    /// Deletes everything in the room up to and including `until`; returns how many messages.
    /// `journal`: who, when compliance is on (the journal then records the change).
    public func clear(room name: String, until: Date, journal: ComplianceActor? = nil) async throws -> Int {
        let room = try await localpart(of: name)
        let removed = try await database.archive.clear(room: room, until: until, journal: journal)
        try await database.chat.bumpRevision(contentOf: room)
        return removed
    }

    /// Deletes (`replacement` nil) or replaces matching messages; returns how many.
    public func remove(room name: String, authors: [String], from: Date?, to: Date?, text: TextFilter?,
                       replacement: String?, journal: ComplianceActor? = nil) async throws -> Int {
        let room = try await localpart(of: name)
        // Built here, as moderation builds its tombstone: the store keeps stanzas as text.
        let rewrite = replacement.map { text in
            ArchiveReplacement(body: text) { StanzaBodyRewriter.replacingBodies(of: $0, with: text) }
        }
        let count = try await database.archive.remove(room: room, authors: authors, from: from, to: to, text: text, replacement: rewrite,
                                                       journal: journal)
        try await database.chat.bumpRevision(contentOf: room)
        return count
    }

    /// A room named by display name or address.
    func localpart(of name: String) async throws -> String {
        try RoomAddress.find(name, in: try await database.chat.loadDirectory())
    }
}
