import Foundation
import GRDB

/// The database of one Salon deployment: `<directory>/salon.sqlite`, shared by the server and CLI commands.
public final class SalonDatabase: Sendable {
    /// The database file's name inside the deployment directory.
    public static let fileName = "salon.sqlite"
    /// How long a connection waits for another connection's (or process's) lock before failing as busy.
    public static let busyTimeout: TimeInterval = 10

    /// The GRDB writer: a DatabasePool (WAL readers plus one writer) for files.
    public let writer: any DatabaseWriter
    /// The database file's path, or nil for an in-memory database.
    public let path: String?

    /// Opens (creating if needed) the database in `directory` and applies pending migrations.
    public init(directory: String) throws {
        try SQLiteLibrary.check()
        let directoryURL = URL(fileURLWithPath: directory, isDirectory: true)
        do {
            // 0700 when we create it (and any parent made on the way): the directory holds
            // account credentials. FileManager sets the mode exactly, whatever the umask.
            try FileManager.default.createDirectory(
                at: directoryURL, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError(.other, "cannot create database directory \(directory): \(error)")
        }
        let path = directoryURL.appendingPathComponent(Self.fileName).path
        self.writer = try withSetupLock(path: path + ".lock") {
            try createPrivateFileIfMissing(path)
            let pool: DatabasePool
            do {
                pool = try DatabasePool(path: path, configuration: Self.configuration())
            } catch {
                throw StoreError.wrapping(error)
            }
            try SalonSchema.migrate(pool)
            return pool
        }
        self.path = path
    }

    private init(writer: any DatabaseWriter) {
        self.writer = writer
        self.path = nil
    }

    /// A fresh, private, migrated in-memory database (for tests): one connection, no WAL.
    public static func inMemory() throws -> SalonDatabase {
        try SQLiteLibrary.check()
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(configuration: configuration())
        } catch {
            throw StoreError.wrapping(error)
        }
        try SalonSchema.migrate(queue)
        return SalonDatabase(writer: queue)
    }

    /// Accounts, SCRAM credentials and service metadata.
    public var accounts: any AccountStore { SQLiteAccountStore(access: StoreAccess(writer: writer)) }
    /// Per-user rosters with versions (RFC 6121).
    public var rosters: any RosterStore { SQLiteRosterStore(access: StoreAccess(writer: writer)) }
    /// Per-user queues of offline messages (XEP-0160).
    public var offline: any OfflineStore { SQLiteOfflineStore(access: StoreAccess(writer: writer)) }
    /// Per-user blocklists (XEP-0191).
    public var blocklists: any BlocklistStore { SQLiteBlocklistStore(access: StoreAccess(writer: writer)) }
    /// Per-user vCards (XEP-0054).
    public var vCards: any VCardStore { SQLiteVCardStore(access: StoreAccess(writer: writer)) }

    /// Per-user private XML storage (XEP-0049).
    public var privateStorage: any PrivateStorageStore { SQLitePrivateStorageStore(access: StoreAccess(writer: writer)) }
    /// Per-user PEP nodes, items, subscriptions and affiliations (XEP-0163).
    public var pep: any PEPStore { SQLitePEPStore(access: StoreAccess(writer: writer)) }
    /// Push registrations (XEP-0357).
    public var push: any PushStore { SQLitePushStore(access: StoreAccess(writer: writer)) }
    /// Uploaded files (XEP-0363) and the room messages that carry them.
    public var files: any FileStore { SQLiteFileStore(access: StoreAccess(writer: writer)) }
    /// Sessions of the room-management pages.
    public var webSessions: any WebSessionStore { SQLiteWebSessionStore(access: StoreAccess(writer: writer)) }

    /// Closes every connection; later calls on this database or its stores fail.
    public func close() throws {
        do {
            try writer.close()
        } catch {
            throw StoreError.wrapping(error)
        }
    }

    /// Closes every connection from a thread of its own: closing waits for reads still in
    /// flight, which must never tie up a thread of Swift's cooperative pool.
    public func shutdown() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                continuation.resume(with: Result { try self.close() })
            }
        }
    }

    /// Connection settings shared by every connection (the pool's writer and readers alike).
    private static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.label = "salon"
        configuration.foreignKeysEnabled = true
        // Several processes use the file: wait for their locks instead of failing at once.
        configuration.busyMode = .timeout(busyTimeout)
        configuration.prepareDatabase { db in
            // NORMAL is durable enough under WAL (a power loss may drop the last commits,
            // never corrupt), and much cheaper than FULL.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return configuration
    }
}
