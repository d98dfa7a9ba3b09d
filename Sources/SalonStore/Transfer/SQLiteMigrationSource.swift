import GRDB
import PersistentChat

extension SalonDatabase {
    /// What the service import copies of `snapshot` (`salon storage migrate`): every account
    /// with its credentials and roster, the whole directory, both archives: the tables the two
    /// backends shape differently (`MigratedTables.copiedByImport`); `TableCopier` copies the
    /// rest from the same snapshot. The sources read the snapshot each time they are called (an
    /// import calls them twice), so both passes see the same rows while `salon serve` may keep writing.
    public func snapshotImport(_ snapshot: SQLiteSnapshot) async throws -> ServiceImport {
        let reader = snapshot.reader
        let (accounts, directory) = try await Self.wrapping {
            try await reader.read { db in
                let snapshot = ExportSnapshot(db: db)
                var accounts: [TransferredAccount] = []
                try snapshot.forEachAccount { accounts.append($0) }
                return (accounts, try snapshot.directory())
            }
        }
        var input = ServiceImport(accounts: accounts)
        input.directory = DirectoryPart(of: directory, principals: true, categories: true, rooms: true, onlyCategories: [])
        input.messages = { each in
            try Self.wrapping { try reader.read { db in try ExportSnapshot(db: db).forEachRoomMessage(rooms: nil, since: nil, each) } }
        }
        input.personalMessages = { each in
            try Self.wrapping { try reader.read { db in try ExportSnapshot(db: db).forEachPersonalMessage(since: nil, each) } }
        }
        return input
    }

    /// The service's metadata (the server's secrets: occupant ids, upload URLs, SCRAM's fake
    /// salts; the bootstrap administrator), which no export carries but a migration keeps, so
    /// occupant ids and outstanding upload slots stay what they were.
    public func metadataEntries() async throws -> [String: String] {
        try await Self.wrapping {
            try await writer.read { db in
                var entries: [String: String] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT key, value FROM metadata ORDER BY key") {
                    entries[row["key"]] = row["value"]
                }
                return entries
            }
        }
    }

    private static func wrapping<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DatabaseError { throw StoreError.wrapping(error) }
    }

    private static func wrapping<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as DatabaseError { throw StoreError.wrapping(error) }
    }
}
