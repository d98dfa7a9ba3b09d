/// A dictionary that keeps only its most recent `capacity` insertions, forgetting the oldest
/// first: memory of past events (ended sessions, moved ones) that must not grow without end.
struct RecentEntries<Key: Hashable, Value> {
    let capacity: Int
    private var values: [Key: Value] = [:]
    private var order: [Key] = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    subscript(key: Key) -> Value? { values[key] }

    mutating func insert(_ value: Value, for key: Key) {
        if values.updateValue(value, forKey: key) == nil { order.append(key) }
        guard order.count > capacity else { return }
        let dropped = order.count - capacity
        for old in order.prefix(dropped) { values[old] = nil }
        order.removeFirst(dropped)
    }
}
