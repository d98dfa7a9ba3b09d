import Foundation
import GRDB
import PersistentChat
import SalonSecurity

/// An account as a service export carries it: SCRAM credentials (never a password) and roster.
public struct TransferredAccount: Sendable, Hashable {
    public var jid: String
    public var credentials: [SCRAMCredentials]
    public var roster: [RosterItem]

    public init(jid: String, credentials: [SCRAMCredentials] = [], roster: [RosterItem] = []) {
        self.jid = jid
        self.credentials = credentials
        self.roster = roster
    }
}

/// Reads for a service export, all from one snapshot, so the directory, accounts, messages and
/// files agree with each other (on SQLite: the synchronous reads `SQLiteExportSource` bridges).
/// Rows are handed over one at a time from cursors: an archive of any size passes through in
/// bounded memory.
struct ExportSnapshot {
    let db: Database

    func directory() throws -> ChatDirectory {
        try ChatDirectoryReader.load(db)
    }

    /// Every account, sorted by JID, with its credentials and roster.
    func forEachAccount(_ body: (TransferredAccount) throws -> Void) throws {
        let credentials = try db.cachedStatement(sql: """
            SELECT mechanism, salt, iterations, stored_key, server_key FROM credentials WHERE jid = ? ORDER BY mechanism
            """)
        let jids = try String.fetchCursor(db, sql: "SELECT jid FROM users ORDER BY jid")
        while let jid = try jids.next() {
            let scram = try Row.fetchAll(credentials, arguments: [jid]).compactMap { row in
                try SCRAMCredentials.algorithm(ofMechanism: row["mechanism"]).map { try SQLiteAccountStore.credential(from: row, algorithm: $0) }
            }
            try body(TransferredAccount(jid: jid, credentials: scram, roster: try SQLiteRosterStore.items(owner: jid, db)))
        }
    }

    /// Room messages in archive order, room by room: of `rooms` (nil: every room, deleted rooms'
    /// archives included), from `since` on.
    func forEachRoomMessage(rooms: Set<String>?, since: Date?, _ body: (StoredMessage) throws -> Void) throws {
        let since = since.map(SQLiteFileStore.ms) ?? Int64.min
        let columns = SQLiteChatStore.messageColumns
        if let rooms {
            for room in rooms.sorted() {
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT \(columns) FROM room_messages WHERE room = ? AND timestamp >= ? ORDER BY id
                    """, arguments: [room, since])
                while let row = try cursor.next() { try body(try SQLiteChatStore.message(from: row)) }
            }
        } else {
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT \(columns) FROM room_messages WHERE timestamp >= ? ORDER BY room, id
                """, arguments: [since])
            while let row = try cursor.next() { try body(try SQLiteChatStore.message(from: row)) }
        }
    }

    /// Accounts' own archives (XEP-0313 on their bare JIDs), account by account in archive
    /// order, from `since` on.
    func forEachPersonalMessage(since: Date?, _ body: (PersonalMessage) throws -> Void) throws {
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT \(PersonalMessage.columns) FROM account_messages WHERE timestamp >= ? ORDER BY owner, id
            """, arguments: [since.map(SQLiteFileStore.ms) ?? Int64.min])
        while let row = try cursor.next() { try body(try PersonalMessage(row: row)) }
    }

    /// Uploaded files posted in a room and not revoked, of `rooms` (nil: all), created from
    /// `since` on, oldest first.
    func forEachFile(rooms: Set<String>?, since: Date?, _ body: (FileRecord) throws -> Void) throws {
        let since = since.map(SQLiteFileStore.ms) ?? Int64.min
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT \(SQLiteFileStore.columns) FROM files
            WHERE room IS NOT NULL AND revoked_at IS NULL AND completed_at IS NOT NULL AND created_at >= ?
            ORDER BY created_at, id
            """, arguments: [since])
        while let row = try cursor.next() {
            let file = try SQLiteFileStore.record(row)
            if let rooms, let room = file.room, !rooms.contains(room) { continue }
            try body(file)
        }
    }
}

/// `ServiceTransfer` on SQLite: exports read one snapshot (a `DatabaseSnapshot` of the pool, a
/// read transaction held open while WAL writers go on, so `salon serve` may keep running; an
/// in-memory queue, which has no snapshots, is read as it is) through `ExportSnapshot`'s
/// cursors, bridged to the async source; imports check and write in one IMMEDIATE transaction.
public struct SQLiteServiceTransfer: ServiceTransfer {
    let access: StoreAccess

    public func export<T: Sendable>(_ body: @Sendable (any ServiceExportSource) async throws -> T) async throws -> T {
        try await body(SQLiteExportSource(reader: try snapshotReader()))
    }

    /// A reader that sees one state of the database until it is released.
    func snapshotReader() throws -> any DatabaseReader {
        do {
            if let pool = access.writer as? DatabasePool { return try pool.makeSnapshot() }
            return access.writer
        } catch let error as DatabaseError {
            throw StoreError.wrapping(error)
        }
    }
}

/// The async export source over a SQLite snapshot: each read runs `ExportSnapshot` on a thread
/// of its own and hands its rows over through `SyncBatchBridge`.
struct SQLiteExportSource: ServiceExportSource {
    let reader: any DatabaseReader

    func directory() async throws -> ChatDirectory {
        try await read { try $0.directory() }
    }

    func forEachAccount(_ body: (TransferredAccount) async throws -> Void) async throws {
        try await each(body) { snapshot, emit in try snapshot.forEachAccount(emit) }
    }

    func forEachRoomMessage(rooms: Set<String>?, since: Date?, _ body: (StoredMessage) async throws -> Void) async throws {
        try await each(body) { snapshot, emit in try snapshot.forEachRoomMessage(rooms: rooms, since: since, emit) }
    }

    func forEachPersonalMessage(since: Date?, _ body: (PersonalMessage) async throws -> Void) async throws {
        try await each(body) { snapshot, emit in try snapshot.forEachPersonalMessage(since: since, emit) }
    }

    func forEachFile(rooms: Set<String>?, since: Date?, _ body: (FileRecord) async throws -> Void) async throws {
        try await each(body) { snapshot, emit in try snapshot.forEachFile(rooms: rooms, since: since, emit) }
    }

    func forEachComplianceEvent(since: Date?, _ body: (ComplianceRecord) async throws -> Void) async throws {
        try await each(body) { snapshot, emit in try snapshot.forEachComplianceEvent(since: since, emit) }
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (ExportSnapshot) throws -> T) async throws -> T {
        let reader = reader
        do {
            return try await reader.read { db in try body(ExportSnapshot(db: db)) }
        } catch let error as DatabaseError {
            throw StoreError.wrapping(error)
        }
    }

    private func each<Element: Sendable>(_ body: (Element) async throws -> Void,
                                         _ rows: @escaping @Sendable (ExportSnapshot, (Element) throws -> Void) throws -> Void) async throws {
        let reader = reader
        do {
            try await SyncBatchBridge.run(produce: { emit in
                try reader.read { db in try rows(ExportSnapshot(db: db), emit) }
            }, consume: { batch in
                for element in batch { try await body(element) }
                return .more
            })
        } catch let error as DatabaseError {
            throw StoreError.wrapping(error)
        }
    }
}

extension SalonDatabase {
    public var transfer: any ServiceTransfer { SQLiteServiceTransfer(access: StoreAccess(writer: writer)) }
}
