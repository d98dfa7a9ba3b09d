import GRDB

extension StoreAccess {
    /// A read of an archive whose ArchiveErrors pass through as they are (others become StoreErrors).
    func archiveRead<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw StoreError.wrapping(error)
        }
    }
}

extension ArchiveRecord {
    /// The oldest and newest messages of `owner`'s archive (MAM metadata); nils when it is empty.
    static func bounds(of owner: String, in access: StoreAccess) async throws -> (first: Self?, last: Self?) {
        let ends = try await access.archiveRead { db in
            let sql = "SELECT \(qualifiedColumns) FROM \(table.messages) m WHERE m.\(table.owner) = ? ORDER BY m.id"
            let first = try Row.fetchOne(db, sql: sql + " LIMIT 1", arguments: [owner]).map(Self.init(row:))
            let last = try Row.fetchOne(db, sql: sql + " DESC LIMIT 1", arguments: [owner]).map(Self.init(row:))
            return [first, last]
        }
        return (ends[0], ends[1])
    }
}
