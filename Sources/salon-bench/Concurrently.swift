/// Runs `body` for 0..<count with at most `limit` running at once; returns the results in index order.
func concurrently<T: Sendable>(_ count: Int, limit: Int, _ body: @escaping @Sendable (Int) async -> T) async -> [T] {
    await withTaskGroup(of: (Int, T).self) { group in
        var results = [T?](repeating: nil, count: count)
        var next = 0
        func start() {
            let index = next
            next += 1
            group.addTask { (index, await body(index)) }
        }
        while next < min(max(limit, 1), count) { start() }
        for await (index, result) in group {
            results[index] = result
            if next < count { start() }
        }
        return results.compactMap { $0 }
    }
}
