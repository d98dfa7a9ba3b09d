import Foundation
@testable import SalonStore
import SalonTestSupport
import XMPPCore

/// A message for archive tests: stanza-id "<room>-<index>", posted at 1_700_000_000 + index seconds.
func archiveMessage(_ room: String, _ index: Int, body: String? = nil, author: String = "alice@example.com",
                    alert: Bool = false) -> StoredMessage {
    let text = body ?? "message \(index)"
    return StoredMessage(room: room, stanzaID: "\(room)-\(index)", senderJID: author, nick: "nick \(index)",
                         occupantID: "occ-\(index)", timestamp: archiveTime(index), body: text, alert: alert,
                         stanza: XMLElement("message", namespace: NS.client, attributes: ["type": "groupchat"], children: [
                             .element(XMLElement("body", namespace: NS.client, children: [.text(text)])),
                         ]).serialized(parentNamespace: NS.client))
}

/// The timestamp of `archiveMessage(_, index)`.
func archiveTime(_ index: Int) -> Date {
    Date(timeIntervalSince1970: TimeInterval(1_700_000_000 + index))
}

/// An in-memory database whose archive holds `count` messages of `room` (indexes 0..<count), appended in order.
func archiveWith(_ messages: [StoredMessage]) async throws -> SalonDatabase {
    let database = try SalonDatabase.inMemory()
    let writer = SQLiteArchiveWriter(database: database)
    for message in messages {
        _ = try await writer.append(message)
    }
    await writer.close()
    return database
}

/// `count` plain messages of `room`.
func roomMessages(_ room: String, _ count: Int) -> [StoredMessage] {
    (0..<count).map { archiveMessage(room, $0) }
}

/// The kind of ArchiveError thrown by `body`, or nil if it threw something else or nothing.
func archiveErrorKind(_ body: () async throws -> Void) async -> ArchiveError.Kind? {
    do {
        try await body()
        return nil
    } catch let error as ArchiveError {
        return error.kind
    } catch {
        return nil
    }
}

extension ArchivePage {
    /// The stanza-ids of the page, in returned order.
    var ids: [String] { messages.map(\.stanzaID) }
}

/// A query with its settings applied.
func archiveQuery(_ rooms: String..., configure: (inout ArchiveQuery) -> Void = { _ in }) -> ArchiveQuery {
    var query = ArchiveQuery(rooms: rooms)
    configure(&query)
    return query
}

/// Stanza-ids "<room>-<index>" for `indexes`.
func stanzaIDs(_ room: String, _ indexes: some Sequence<Int>) -> [String] {
    indexes.map { "\(room)-\($0)" }
}

/// Runs `body` with the room archive of a fresh backend of `kind` holding `messages`, appended
/// in order through that backend's writer.
func withArchive<T: Sendable>(_ kind: TestBackend, _ messages: [StoredMessage],
                              _ body: (any ArchiveStore) async throws -> T) async throws -> T {
    try await withBackend(kind) { backend in
        let writer = backend.archiveWriter(maxBatch: 1024, commitObserver: nil)
        for message in messages {
            _ = try await writer.append(message)
        }
        await writer.close()
        return try await body(backend.archive)
    }
}
