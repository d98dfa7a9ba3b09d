import Foundation
import GRDB
import Testing
@testable import SalonStore

@Suite struct FileStoreTests {
    private func slot(_ id: String, by uploader: String = "alice@example.com", size: Int64 = 10,
                      created: Date = archiveTime(0)) -> FileRecord {
        FileRecord(id: id, uploader: uploader, name: "\(id).txt", size: size, contentType: "text/plain", created: created,
                   expires: created.addingTimeInterval(600))
    }

    private func id(_ n: Int) -> String { String(format: "%032x", n) }

    @Test func reservationKeepsTheDailyQuotaAndTheStorageCap() async throws {
        let files = try SalonDatabase.inMemory().files
        #expect(try await files.reserve(slot(id(1), size: 60), dailyQuota: 100, storageCap: 120) == .reserved)
        #expect(try await files.reserve(slot(id(2), size: 50), dailyQuota: 100, storageCap: 120) == .overDailyQuota)
        // A day later the quota is free again; the cap still counts every kept file.
        let tomorrow = archiveTime(86_401)
        #expect(try await files.reserve(slot(id(3), size: 80, created: tomorrow), dailyQuota: 100, storageCap: 120) == .overStorageCap)
        #expect(try await files.reserve(slot(id(4), by: "bob@example.com", size: 40), dailyQuota: 100, storageCap: 120) == .reserved)
        #expect(try await files.revoke(id: id(1)))
        #expect(try await files.reserve(slot(id(3), size: 80, created: tomorrow), dailyQuota: 100, storageCap: 120) == .reserved)
    }

    @Test func theSweepFindsItsFilesByIndex() async throws {
        let plans = try await StoreAccess(writer: try SalonDatabase.inMemory().writer).lookUp { db in
            try [
                "SELECT id FROM files WHERE revoked_at IS NOT NULL AND deleted_at IS NULL",
                "SELECT id FROM files WHERE room IS NULL AND revoked_at IS NULL AND expires_at < 0",
            ].map { sql in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
            }
        }
        #expect(plans[0].contains("files_to_delete"), "\(plans[0])")
        #expect(plans[1].contains("files_unclaimed"), "\(plans[1])")
    }

    @Test func completionHappensOnce() async throws {
        let files = try SalonDatabase.inMemory().files
        _ = try await files.reserve(slot(id(1)), dailyQuota: 100, storageCap: 100)
        #expect(try await files.complete(id: id(1), sha256: "ab", at: archiveTime(1)))
        #expect(try await files.complete(id: id(1), sha256: "cd", at: archiveTime(2)) == false)
        #expect(try await files.file(id: id(1))?.sha256 == "ab")
        #expect(try await files.complete(id: id(9), sha256: "ab", at: archiveTime(1)) == false)
    }

    @Test func archivingTiesFilesAndEveryWayOfRemovingTheMessageRevokesThem() async throws {
        let database = try SalonDatabase.inMemory()
        for n in 1...4 { _ = try await database.files.reserve(slot(id(n)), dailyQuota: 1000, storageCap: 1000) }
        var messages = roomMessages("design", 4)
        for n in 0..<4 { messages[n].files = [id(n + 1)] }
        // Only the first claim counts: a file re-posted elsewhere stays with its first message.
        var repost = archiveMessage("other", 0)
        repost.files = [id(1)]
        let writer = SQLiteArchiveWriter(database: database)
        for message in messages + [repost] { _ = try await writer.append(message) }
        await writer.close()
        let first = try #require(try await database.files.file(id: id(1)))
        #expect(first.room == "design" && first.stanzaID == "design-0" && first.revoked == nil)

        _ = try await database.archive.retract(room: "design", stanzaID: "design-0", tombstone: "<message/>")
        #expect(try await database.files.file(id: id(1))?.revoked != nil)
        _ = try await database.archive.remove(room: "design", authors: [], from: archiveTime(1), to: archiveTime(1), text: nil, replacement: nil)
        #expect(try await database.files.file(id: id(2))?.revoked != nil)
        _ = try await database.archive.clear(room: "design", until: archiveTime(2))
        #expect(try await database.files.file(id: id(3))?.revoked != nil)
        #expect(try await database.files.file(id: id(4))?.revoked == nil)
        #expect(try await database.files.usage(room: "design") == FileUsage(files: 0, bytes: 0))
        try await database.archive.deleteMessages(room: "design")
        #expect(try await database.files.file(id: id(4))?.revoked != nil)

        let swept = try await database.files.sweep(unclaimedBefore: archiveTime(0))
        #expect(Set(swept.map(\.id)) == Set((1...4).map(id)))
        try await database.files.deleted(swept.map(\.id))
        #expect(try await database.files.sweep(unclaimedBefore: archiveTime(0)).isEmpty)
    }

    @Test func unpostedFilesAreRevokedBySweepAfterTheirDeadline() async throws {
        let files = try SalonDatabase.inMemory().files
        _ = try await files.reserve(slot(id(1)), dailyQuota: 100, storageCap: 100)
        #expect(try await files.sweep(unclaimedBefore: archiveTime(600)).isEmpty)
        #expect(try await files.sweep(unclaimedBefore: archiveTime(601)).map(\.id) == [id(1)])
        #expect(try await files.forget(revokedBefore: Date().addingTimeInterval(60)) == 0)
        try await files.deleted([id(1)])
        #expect(try await files.forget(revokedBefore: Date().addingTimeInterval(60)) == 1)
        #expect(try await files.file(id: id(1)) == nil)
    }

    @Test func upgradeFromV10AddsTheFilesTable() async throws {
        let queue = try DatabaseQueue()
        try SalonSchema.migrator.migrate(queue, upTo: "v10-pep-items-by-item-id")
        try SalonSchema.migrate(queue)
        let count = try await queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM files") ?? -1 }
        #expect(count == 0)
    }
}
