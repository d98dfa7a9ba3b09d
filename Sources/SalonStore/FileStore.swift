import Foundation
import PersistentChat

/// One uploaded file (or a slot still waiting for its upload).
public struct FileRecord: Sendable, Hashable {
    /// The slot id: random, unguessable, the first path segment of its URLs.
    public var id: String
    public var uploader: String
    public var name: String
    public var size: Int64
    public var contentType: String
    public var created: Date
    /// Until when the upload (PUT) may happen.
    public var expires: Date
    public var completed: Date?
    /// Hex SHA-256 of the content, once uploaded.
    public var sha256: String?
    /// The room and message that carry it, once posted.
    public var room: String?
    public var stanzaID: String?
    public var revoked: Date?

    public init(id: String, uploader: String, name: String, size: Int64, contentType: String, created: Date, expires: Date,
                completed: Date? = nil, sha256: String? = nil, room: String? = nil, stanzaID: String? = nil, revoked: Date? = nil) {
        self.id = id
        self.uploader = uploader
        self.name = name
        self.size = size
        self.contentType = contentType
        self.created = created
        self.expires = expires
        self.completed = completed
        self.sha256 = sha256
        self.room = room
        self.stanzaID = stanzaID
        self.revoked = revoked
    }
}

/// What a slot reservation ran into.
public enum FileReservation: Sendable, Equatable {
    case reserved
    /// The uploader's uploads of the last 24 hours plus this one exceed the daily quota.
    case overDailyQuota
    /// Every kept file plus this one exceeds the service-wide storage cap.
    case overStorageCap
}

/// Usage totals: how many files and their bytes.
public struct FileUsage: Sendable, Hashable {
    public var files: Int
    public var bytes: Int64

    public init(files: Int, bytes: Int64) {
        self.files = files
        self.bytes = bytes
    }
}

/// One download served.
public struct FileDownload: Sendable, Hashable {
    public var file: String
    public var room: String?
    /// The account, where the download mode asks for one (`members`); nil for a link.
    public var account: String?
    public var time: Date
    public var range: ClosedRange<Int64>

    public init(file: String, room: String?, account: String?, time: Date, range: ClosedRange<Int64>) {
        self.file = file
        self.room = room
        self.account = account
        self.time = time
        self.range = range
    }
}

/// Files uploaded through XEP-0363. The bytes live on disk (the server's `files` directory);
/// this keeps who uploaded what, where it was posted, whether it is still served, and every
/// download (with compliance on, journaled in the same durable transaction).
public protocol FileStore: Sendable {
    /// Records a new slot if the uploader's daily quota and the storage cap allow it, in one
    /// transaction (two requests cannot both take the last bytes).
    func reserve(_ file: FileRecord, dailyQuota: Int64, storageCap: Int64) async throws -> FileReservation
    func file(id: String) async throws -> FileRecord?
    /// Marks an upload complete; false when it already was (or the slot is gone): the second PUT.
    /// With compliance on, `event` (FILEUPLOAD) is journaled in the same durable transaction.
    func complete(id: String, sha256: String, at time: Date, journal event: ComplianceEvent?) async throws -> Bool
    /// Ties files to a room message that is not archived (a room without history); an archived
    /// message ties them in its own insert. A file already posted keeps its first room.
    func claim(_ ids: [String], room: String, stanzaID: String, at time: Date) async throws
    /// Revokes one file (administration); false when there is no such file or it already was.
    func revoke(id: String) async throws -> Bool
    /// Files to take off disk: revoked ones not yet deleted, and those never posted in a room
    /// whose slot expired before `unclaimedBefore` (revoked now). The rows stay, so their URLs
    /// answer 410; call `deleted` once their bytes are gone.
    func sweep(unclaimedBefore deadline: Date) async throws -> [FileRecord]
    /// Records that these files' bytes were removed from disk.
    func deleted(_ ids: [String]) async throws
    /// Forgets files revoked before `before` whose bytes are gone (their URLs then answer 404).
    func forget(revokedBefore before: Date) async throws -> Int
    /// Files, newest first, of one room and/or one uploader; revoked ones only when asked.
    func list(room: String?, uploader: String?, includingRevoked: Bool, limit: Int) async throws -> [FileRecord]
    /// Kept (unrevoked, uploaded) files of a room or an uploader.
    func usage(room: String?, uploader: String?) async throws -> FileUsage
    /// A room's kept files per uploader, most bytes first.
    func usageByUploader(room: String) async throws -> [(uploader: String, usage: FileUsage)]
    /// Records one download served; with compliance on, `event` (FILEDOWNLOAD) is journaled in
    /// the same durable transaction, before the body is served.
    func recordDownload(_ download: FileDownload, journal event: ComplianceEvent?) async throws
    /// The downloads of `file`, oldest first.
    func downloads(of file: String) async throws -> [FileDownload]
}

extension FileStore {
    public func complete(id: String, sha256: String, at time: Date) async throws -> Bool {
        try await complete(id: id, sha256: sha256, at: time, journal: nil)
    }

    public func list(room: String? = nil, uploader: String? = nil, includingRevoked: Bool = false, limit: Int = 1000) async throws -> [FileRecord] {
        try await list(room: room, uploader: uploader, includingRevoked: includingRevoked, limit: limit)
    }

    public func usage(room: String? = nil, uploader: String? = nil) async throws -> FileUsage {
        try await usage(room: room, uploader: uploader)
    }
}

extension FileRecord {
    /// Throws invalidArgument for a slot no backend can keep: a negative size, or text with a
    /// NUL (PostgreSQL's text holds none), so both backends refuse alike.
    func validate() throws {
        guard size >= 0 else { throw StoreError(.invalidArgument, "a file's size cannot be negative") }
        for (text, role) in [(id, "file id"), (uploader, "uploader"), (name, "file name"), (contentType, "content type")] {
            try PostgresText.check(text, role)
        }
    }
}

/// What both file stores share about times and limits.
enum FileAccounting {
    /// Milliseconds since the Unix epoch, as the `files` tables keep times.
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    static func date(_ milliseconds: Int64?) -> Date? { milliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) } }

    /// Whether `size` more bytes keep `used` within `limit` (a sum past Int64 never does).
    static func fits(_ size: Int64, after used: Int64, within limit: Int64) -> Bool {
        let (total, overflow) = used.addingReportingOverflow(size)
        return !overflow && total <= limit
    }
}
