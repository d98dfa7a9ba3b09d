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
