import Foundation
import GRDB
import PersistentChat

/// Every download is recorded (`file_downloads`, migration v12-compliance-file-downloads),
/// compliance on or off; with compliance on its FILEDOWNLOAD event is journaled in the same
/// durable transaction, before the body is served.
extension SQLiteFileStore {
    func recordDownload(_ download: FileDownload, journal event: ComplianceEvent?) async throws {
        let body: @Sendable (Database) throws -> Void = { db in
            try db.execute(sql: """
                INSERT INTO file_downloads (file_id, room, account, time, range_start, range_end) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [download.file, download.room, download.account, Self.ms(download.time),
                                 download.range.lowerBound, download.range.upperBound])
            if let event { try ComplianceJournalInsert.insert([event], db) }
        }
        if event == nil { try await access.write(body) } else { try await access.writeDurably(body) }
    }

    /// The downloads of `file`, oldest first.
    func downloads(of file: String) async throws -> [FileDownload] {
        try await access.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM file_downloads WHERE file_id = ? ORDER BY id", arguments: [file]).map { row in
                FileDownload(file: row["file_id"], room: row["room"], account: row["account"],
                             time: Date(timeIntervalSince1970: Double(row["time"] as Int64) / 1000),
                             range: (row["range_start"] as Int64)...(row["range_end"] as Int64))
            }
        }
    }
}
