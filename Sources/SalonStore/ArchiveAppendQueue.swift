/// The appends waiting for the archive writer, oldest first. Messages and their callers sit in
/// parallel arrays, so a batch hands its messages to the inserter without copying them again,
/// and taking a batch off the front moves nothing until the taken part outgrows the rest.
struct ArchiveAppendQueue<Item, Caller> {
    private var items: [Item] = []
    private var callers: [Caller] = []
    /// Where the waiting part begins; everything before it was taken.
    private var head = 0

    /// How many appends wait.
    var count: Int { items.count - head }

    /// Whether no append waits.
    var isEmpty: Bool { count == 0 }

    mutating func append(_ item: Item, _ caller: Caller) {
        items.append(item)
        callers.append(caller)
    }

    /// Removes and returns the `count` oldest appends (at most all of them).
    mutating func take(_ count: Int) -> (items: [Item], callers: [Caller]) {
        let end = head + min(max(count, 0), self.count)
        let taken = (Array(items[head..<end]), Array(callers[head..<end]))
        head = end
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            callers.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= Self.compactionThreshold, head >= items.count / 2 {
            // Drop the taken part once it is at least half the storage: amortized constant time.
            items.removeFirst(head)
            callers.removeFirst(head)
            head = 0
        }
        return taken
    }

    /// How many taken entries may linger before the storage is compacted.
    static var compactionThreshold: Int { 1024 }
}
