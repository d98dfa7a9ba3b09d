/// What a page needs of a message, on either backend.
protocol ArchivePageItem: Sendable {
    /// The XEP-0359 id a page's bounds and cursors use.
    var stanzaID: String { get }
    /// What the message costs in a page (its stored text), for `ArchivePageLimits.maxPageBytes`.
    var pageBytes: Int { get }
}

/// One page filled as its rows arrive, one at a time: at most `limit` messages, ending early
/// (incomplete) once it holds `ArchivePageLimits.maxPageBytes`, keeping at least one message, so
/// a page of large messages is never built whole in memory.
struct ArchivePageFill<Item: ArchivePageItem> {
    private let limit: Int
    private var messages: [Item] = []
    private var bytes = 0
    /// False once a row was left out: the client asks for the next page.
    private(set) var complete = true

    init(limit: Int) {
        self.limit = limit
    }

    /// Whether the page takes another row; false ends it, incomplete.
    mutating func admitsMore() -> Bool {
        guard messages.count < limit, messages.isEmpty || bytes < ArchivePageLimits.maxPageBytes else {
            complete = false
            return false
        }
        return true
    }

    mutating func append(_ message: Item) {
        bytes += message.pageBytes
        messages.append(message)
    }

    /// The page as sent: rows read backward are put back in archive order, then `flip`
    /// (XEP-0313's) reverses it.
    func page(count: Int, backward: Bool, flip: Bool) -> ArchiveResultPage<Item> {
        let ordered = backward != flip ? Array(messages.reversed()) : messages
        return ArchiveResultPage(messages: ordered, complete: complete, count: count,
                                 first: ordered.first?.stanzaID, last: ordered.last?.stanzaID)
    }
}
