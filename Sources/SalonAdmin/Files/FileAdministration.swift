import Foundation
import SalonStore

/// Uploaded files for operators (CLI `salon file`, `salon room show`, the ad-hoc commands):
/// list, usage, removal. Removal revokes the file (its URL answers 410 at once) and deletes its
/// bytes from the data directory's `files/`.
public struct FileAdministration: Sendable {
    let database: any StoreBackend
    let filesDirectory: String

    public init(database: any StoreBackend, dataDirectory: String) {
        self.database = database
        self.filesDirectory = dataDirectory + "/files"
    }

    public func list(room: String? = nil, uploader: String? = nil, includingRevoked: Bool = false) async throws -> [FileRecord] {
        try await database.files.list(room: room, uploader: uploader, includingRevoked: includingRevoked)
    }

    public func usage(room: String? = nil, uploader: String? = nil) async throws -> FileUsage {
        try await database.files.usage(room: room, uploader: uploader)
    }

    /// A room's kept files per uploader, most bytes first.
    public func usageByUploader(room: String) async throws -> [(uploader: String, usage: FileUsage)] {
        try await database.files.usageByUploader(room: room)
    }

    /// False when no such file is kept.
    public func remove(id: String) async throws -> Bool {
        guard id.utf8.count == 32, id.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }),
              try await database.files.revoke(id: id) else { return false }
        try? FileManager.default.removeItem(atPath: "\(filesDirectory)/\(id)")
        try await database.files.deleted([id])
        return true
    }

    /// One line per file: id, size, type, uploader, room, time, name.
    public static func line(_ file: FileRecord) -> String {
        let state = file.revoked != nil ? "revoked" : file.completed == nil ? "pending" : file.room == nil ? "unposted" : "posted"
        let time = ISO8601DateFormatter().string(from: file.created)
        return "\(file.id)  \(file.size) B  \(file.contentType)  \(file.uploader)  \(file.room ?? "-")  \(state)  \(time)  \(file.name)"
    }
}
