import Foundation

/// A XEP-0313 archive query (or a search across rooms) with XEP-0059 paging.
public struct ArchiveQuery: Sendable, Hashable {
    /// Room localparts to search; at least one. For an account's archive
    /// (`PersonalArchiveStore`), the account's bare JID alone.
    public var rooms: [String]
    /// Authors' bare JIDs (MAM `with`); empty means anyone. In an account's archive, the
    /// correspondents: a bare JID matches any of its resources, a full JID only itself.
    public var authors: [String] = []
    /// Earliest time, inclusive.
    public var start: Date?
    /// Latest time, inclusive.
    public var end: Date?
    /// MAM after-id: only messages after this stanza-id (exclusive).
    public var afterID: String?
    /// MAM before-id: only messages before this stanza-id (exclusive).
    public var beforeID: String?
    /// Only these stanza-ids; nil means no such filter.
    public var ids: [String]? = nil
    /// A full-text condition on bodies.
    public var text: TextFilter? = nil
    /// Whether tombstones (retracted messages) are returned; they are part of the archive.
    public var includeRetracted = true
    /// XEP-0059 max: clamped to 1…1000; 0 returns the count only, no items.
    public var max: Int = 50
    /// XEP-0059 after: the page after this stanza-id.
    public var after: String? = nil
    /// XEP-0059 before: the page before this stanza-id; "" asks for the last page.
    public var before: String? = nil
    /// XEP-0313 flip-page: newest first within the page.
    public var flip = false

    /// Creates a query over `rooms` with no filters: the first page of 50.
    public init(rooms: [String]) {
        self.rooms = rooms
    }
}

/// One page of a room archive's results.
public typealias ArchivePage = ArchiveResultPage<StoredMessage>

/// One page of archive results.
public struct ArchiveResultPage<Message: Sendable>: Sendable {
    /// The messages, oldest first unless the query asked to flip the page; each carries its owner.
    public var messages: [Message]
    /// Whether no more results lie in the paging direction.
    public var complete: Bool
    /// How many messages match the filters, ignoring paging.
    public var count: Int
    /// The stanza-id of the first message returned.
    public var first: String?
    /// The stanza-id of the last message returned.
    public var last: String?

    /// Creates a page.
    public init(messages: [Message], complete: Bool, count: Int, first: String?, last: String?) {
        self.messages = messages
        self.complete = complete
        self.count = count
        self.first = first
        self.last = last
    }
}

/// A query the archive refuses.
public struct ArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why it was refused.
    public enum Kind: Sendable, Hashable {
        /// A paging or MAM id names no message of the queried rooms (XEP-0059 item-not-found).
        case itemNotFound
        /// A filter is malformed or out of bounds (bad-request).
        case invalid
    }

    /// Why it was refused.
    public var kind: Kind
    /// A human-readable explanation.
    public var message: String

    /// Creates an error of `kind` explained by `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind): \(message)" }
}
