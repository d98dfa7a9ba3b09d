import GRDB

extension SQLitePEPStore {
    /// Every account's items of `node` whose id is one of `ids` (compared without case):
    /// who holds which item, e.g. who bookmarked a room.
    func holders(ofItems ids: Set<String>, in node: String) async throws -> [(owner: String, itemID: String)] {
        guard !ids.isEmpty else { return [] }
        let sorted = ids.sorted()
        return try await access.read { db in
            var found: [(owner: String, itemID: String)] = []
            // SQLite bounds the number of parameters of one statement.
            for start in stride(from: 0, to: sorted.count, by: 500) {
                let chunk = sorted[start..<min(start + 500, sorted.count)]
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                var arguments: [any DatabaseValueConvertible] = [node]
                arguments.append(contentsOf: Array(chunk))
                let rows = try Row.fetchAll(db, sql: """
                    SELECT owner, item_id FROM pep_items WHERE node = ? AND item_id COLLATE NOCASE IN (\(marks)) ORDER BY owner, item_id
                    """, arguments: StatementArguments(arguments))
                found += rows.map { (owner: $0["owner"], itemID: $0["item_id"]) }
            }
            return found
        }
    }
}
