import Foundation
import PersistentChat
import PostgresNIO

/// Every download is recorded, compliance on or off; with compliance on its FILEDOWNLOAD event
/// is journaled in the same transaction, before the body is served (as on SQLite).
extension PostgresFileStore {
    func recordDownload(_ download: FileDownload, journal event: ComplianceEvent?) async throws {
        try PostgresText.check(download.file, "file id")
        for text in [download.room, download.account].compactMap({ $0 }) { try PostgresText.check(text, "download's room or account") }
        let time = FileAccounting.milliseconds(download.time)
        try await access.transaction { transaction in
            try await transaction.query("""
                INSERT INTO file_downloads (file_id, room, account, time, range_start, range_end)
                VALUES (\(download.file), \(download.room), \(download.account), \(time),
                        \(download.range.lowerBound), \(download.range.upperBound))
                """)
            if let event { try await PostgresComplianceJournalInsert.insert([event], transaction) }
        }
    }

    func downloads(of file: String) async throws -> [FileDownload] {
        guard PostgresText.isStorable(file) else { return [] }
        return try await access.query("""
            SELECT file_id, room, account, time, range_start, range_end FROM file_downloads WHERE file_id = \(file) ORDER BY id
            """).map { row in
            let (file, room, account, time, start, end) = try row.decode((String, String?, String?, Int64, Int64, Int64).self)
            return FileDownload(file: file, room: room, account: account, time: FileAccounting.date(time)!, range: start...end)
        }
    }
}
