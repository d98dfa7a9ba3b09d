import Foundation
import GRDB
import PersistentChat

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
