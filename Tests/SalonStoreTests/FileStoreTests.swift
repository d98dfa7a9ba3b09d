import Foundation
import GRDB
import PersistentChat
import SalonTestSupport
import Testing
@testable import SalonStore

/// Runs once per backend (`TestBackend`), but for SQLite's query plans and its upgrade.
@Suite struct FileStoreTests {
    private func slot(_ id: String, by uploader: String = "alice@example.com", size: Int64 = 10,
                      created: Date = archiveTime(0)) -> FileRecord {
        FileRecord(id: id, uploader: uploader, name: "\(id).txt", size: size, contentType: "text/plain", created: created,
                   expires: created.addingTimeInterval(600))
    }

    private func id(_ n: Int) -> String { String(format: "%032x", n) }

    private func event(_ type: ComplianceEventType, payload: String = "{}") -> ComplianceEvent {
        ComplianceEvent(type, time: 1_700_000_000_000, actorBare: "alice@example.com", actorFull: "alice@example.com/phone",
                        room: "lobby", payload: payload)
    }

    @Test(arguments: TestBackend.all) func reservationKeepsTheDailyQuotaAndTheStorageCap(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let files = database.files
            #expect(try await files.reserve(slot(id(1), size: 60), dailyQuota: 100, storageCap: 120) == .reserved)
            #expect(try await files.reserve(slot(id(2), size: 50), dailyQuota: 100, storageCap: 120) == .overDailyQuota)
            // A day later the quota is free again; the cap still counts every kept file.
            let tomorrow = archiveTime(86_401)
            #expect(try await files.reserve(slot(id(3), size: 80, created: tomorrow), dailyQuota: 100, storageCap: 120) == .overStorageCap)
            #expect(try await files.reserve(slot(id(4), by: "bob@example.com", size: 40), dailyQuota: 100, storageCap: 120) == .reserved)
            #expect(try await files.revoke(id: id(1)))
            #expect(try await files.reserve(slot(id(3), size: 80, created: tomorrow), dailyQuota: 100, storageCap: 120) == .reserved)
            // A size past any sum is over, never a crash; hostile text is refused alike.
            #expect(try await files.reserve(slot(id(5), by: "carol@example.com", size: .max), dailyQuota: .max, storageCap: .max) == .overStorageCap)
            #expect(await storeErrorKind { _ = try await files.reserve(slot("nul\0id"), dailyQuota: 100, storageCap: 1000) } == .invalidArgument)
            #expect(await storeErrorKind { _ = try await files.reserve(slot(id(6), size: -1), dailyQuota: 100, storageCap: 1000) } == .invalidArgument)
            #expect(try await files.file(id: "nul\0id") == nil)
        }
    }

    /// Two nodes reserving at once, always the same 10 bytes: however the reservations
    /// interleave, exactly as many as fit are reserved, for the storage cap and for one
    /// uploader's daily quota alike.
    @Test(arguments: TestBackend.all) func concurrentReservationsNeverBothTakeTheLastBytes(backend: TestBackend) async throws {
        try await withTwoNodes(backend) { first, second async throws in
            let nodes = [first.files, second.files]
            /// Reserves slot `n` (by `uploader(n)`) for every `n`, alternating between the nodes, all at once.
            func reserveAtOnce(_ numbers: Range<Int>, by uploader: @escaping @Sendable (Int) -> String,
                               dailyQuota: Int64, storageCap: Int64) async throws -> [FileReservation] {
                try await withThrowingTaskGroup(of: FileReservation.self) { group in
                    for n in numbers {
                        let node = nodes[n % 2]
                        group.addTask { try await node.reserve(slot(id(n), by: uploader(n)), dailyQuota: dailyQuota, storageCap: storageCap) }
                    }
                    return try await group.reduce(into: [FileReservation]()) { $0.append($1) }
                }
            }
            let capped = try await reserveAtOnce(0..<24, by: { "u\($0)@example.com" }, dailyQuota: 1000, storageCap: 100)
            #expect(capped.filter { $0 == .reserved }.count == 10)
            #expect(capped.filter { $0 == .overStorageCap }.count == 14)
            for n in 0..<24 where try await first.files.file(id: id(n)) != nil { _ = try await first.files.revoke(id: id(n)) }

            let quota = try await reserveAtOnce(100..<124, by: { _ in "alice@example.com" }, dailyQuota: 70, storageCap: 10_000)
            #expect(quota.filter { $0 == .reserved }.count == 7)
            #expect(quota.filter { $0 == .overDailyQuota }.count == 17)
        }
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

    @Test(arguments: TestBackend.all) func completionHappensOnce(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let files = database.files
            _ = try await files.reserve(slot(id(1)), dailyQuota: 100, storageCap: 100)
            #expect(try await files.complete(id: id(1), sha256: "ab", at: archiveTime(1)))
            #expect(try await files.complete(id: id(1), sha256: "cd", at: archiveTime(2)) == false)
            #expect(try await files.file(id: id(1))?.sha256 == "ab")
            #expect(try await files.complete(id: id(9), sha256: "ab", at: archiveTime(1)) == false)
        }
    }

    /// The upload's and each download's compliance event commit with them: an event the
    /// journal refuses takes the completion or the download back with it.
    @Test(arguments: TestBackend.all) func uploadsAndDownloadsAreJournaledInTheirOwnTransaction(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let files = database.files
            _ = try await files.reserve(slot(id(1)), dailyQuota: 100, storageCap: 100)
            let refused = event(.fileUpload, payload: "{\"bad\":\"\0\"}")
            #expect(await storeErrorKind { _ = try await files.complete(id: id(1), sha256: "ab", at: archiveTime(1), journal: refused) } != nil)
            #expect(try await files.file(id: id(1))?.completed == nil)
            #expect(try await files.complete(id: id(1), sha256: "ab", at: archiveTime(1), journal: event(.fileUpload)))
            #expect(try await files.file(id: id(1))?.completed != nil)
            #expect(try await database.compliance.counts().total == 1)

            let download = FileDownload(file: id(1), room: "lobby", account: "bob@example.com", time: archiveTime(5), range: 0...9)
            #expect(await storeErrorKind { try await files.recordDownload(download, journal: event(.fileDownload, payload: "\0")) } != nil)
            #expect(try await files.downloads(of: id(1)).isEmpty)
            try await files.recordDownload(download, journal: event(.fileDownload))
            try await files.recordDownload(FileDownload(file: id(1), room: nil, account: nil, time: archiveTime(6), range: 2...3), journal: nil)
            #expect(try await files.downloads(of: id(1)) == [
                download, FileDownload(file: id(1), room: nil, account: nil, time: archiveTime(6), range: 2...3),
            ])
            #expect(try await database.compliance.counts().total == 2)
        }
    }

    @Test(arguments: TestBackend.all) func archivingTiesFilesAndEveryWayOfRemovingTheMessageRevokesThem(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            for n in 1...4 { _ = try await database.files.reserve(slot(id(n)), dailyQuota: 1000, storageCap: 1000) }
            var messages = roomMessages("design", 4)
            for n in 0..<4 { messages[n].files = [id(n + 1)] }
            // Only the first claim counts: a file re-posted elsewhere stays with its first message.
            var repost = archiveMessage("other", 0)
            repost.files = [id(1)]
            let writer = database.archiveWriter(maxBatch: 64, commitObserver: nil)
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
    }

    /// A post's files are claimed in the commit that archives it: once the append is
    /// acknowledged the file is the message's, and a post refused (its stanza-id already
    /// archived) claims nothing; two posts naming one file in one batch leave it to the first.
    @Test(arguments: TestBackend.all) func aPostClaimsItsFilesInItsOwnCommit(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            for n in 1...3 { _ = try await database.files.reserve(slot(id(n)), dailyQuota: 1000, storageCap: 1000) }
            let writer = database.archiveWriter(maxBatch: 64, commitObserver: nil)
            var post = archiveMessage("lobby", 0)
            post.files = [id(1), "no-such-file", "nul\0file"]
            _ = try await writer.append(post)
            let claimed = try #require(try await database.files.file(id: id(1)))
            #expect(claimed.room == "lobby" && claimed.stanzaID == "lobby-0")

            var duplicate = archiveMessage("lobby", 0)
            duplicate.files = [id(2)]
            #expect(await storeErrorKind { _ = try await writer.append(duplicate) } == .conflict)
            #expect(try await database.files.file(id: id(2))?.room == nil)

            var first = archiveMessage("lobby", 1)
            first.files = [id(3)]
            var second = archiveMessage("news", 2)
            second.files = [id(3)]
            // Queued in this order at once (one batch, as a rule): the first post claims the file.
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
                writer.append(first) { _ in }
                writer.append(second) { result in done.resume(with: result.map { _ in () }) }
            }
            #expect(try await database.files.file(id: id(3))?.room == "lobby")
            #expect(try await database.files.list(room: "lobby").map(\.id).sorted() == [id(1), id(3)])
            await writer.close()
        }
    }

    /// Room deletion revokes the room's files, archived or not (a room without history claims
    /// its files with `claim`), and no other room's.
    @Test(arguments: TestBackend.all) func deletingARoomRevokesItsFiles(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            for n in 1...3 { _ = try await database.files.reserve(slot(id(n)), dailyQuota: 1000, storageCap: 1000) }
            let writer = database.archiveWriter(maxBatch: 64, commitObserver: nil)
            var archived = archiveMessage("doomed", 0)
            archived.files = [id(1)]
            _ = try await writer.append(archived)
            await writer.close()
            try await database.files.claim([id(2)], room: "doomed", stanzaID: "unarchived", at: archiveTime(1))
            try await database.files.claim([id(3)], room: "kept", stanzaID: "elsewhere", at: archiveTime(1))
            #expect(try await database.files.file(id: id(2))?.stanzaID == "unarchived")

            try await database.archive.deleteMessages(room: "doomed")
            #expect(try await database.files.file(id: id(1))?.revoked != nil)
            #expect(try await database.files.file(id: id(2))?.revoked != nil)
            #expect(try await database.files.file(id: id(3))?.revoked == nil)
            #expect(try await database.files.list(room: "doomed", includingRevoked: true).count == 2)
            #expect(try await database.files.list(room: "doomed").isEmpty)
        }
    }

    @Test(arguments: TestBackend.all) func usageCountsKeptUploadedFiles(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let files = database.files
            for (n, uploader) in [(1, "alice@example.com"), (2, "alice@example.com"), (3, "bob@example.com"), (4, "bob@example.com")] {
                _ = try await files.reserve(slot(id(n), by: uploader, size: Int64(n * 10)), dailyQuota: 1000, storageCap: 1000)
                try await files.claim([id(n)], room: "lobby", stanzaID: "post-\(n)", at: archiveTime(1))
                if n != 4 { _ = try await files.complete(id: id(n), sha256: "ab", at: archiveTime(2)) }
            }
            #expect(try await files.usage(room: "lobby") == FileUsage(files: 3, bytes: 60))
            #expect(try await files.usage(uploader: "alice@example.com") == FileUsage(files: 2, bytes: 30))
            let perUploader = try await files.usageByUploader(room: "lobby")
            // As many bytes each: by uploader.
            #expect(perUploader.map(\.uploader) == ["alice@example.com", "bob@example.com"])
            #expect(perUploader.map(\.usage) == [FileUsage(files: 2, bytes: 30), FileUsage(files: 1, bytes: 30)])
            _ = try await files.complete(id: id(4), sha256: "ab", at: archiveTime(2))
            #expect(try await files.usageByUploader(room: "lobby").map(\.uploader) == ["bob@example.com", "alice@example.com"])
            #expect(try await files.list(uploader: "bob@example.com", limit: 1).count == 1)
        }
    }

    @Test(arguments: TestBackend.all) func unpostedFilesAreRevokedBySweepAfterTheirDeadline(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let files = database.files
            _ = try await files.reserve(slot(id(1)), dailyQuota: 100, storageCap: 100)
            #expect(try await files.sweep(unclaimedBefore: archiveTime(600)).isEmpty)
            #expect(try await files.sweep(unclaimedBefore: archiveTime(601)).map(\.id) == [id(1)])
            #expect(try await files.forget(revokedBefore: Date().addingTimeInterval(60)) == 0)
            try await files.deleted([id(1)])
            #expect(try await files.forget(revokedBefore: Date().addingTimeInterval(60)) == 1)
            #expect(try await files.file(id: id(1)) == nil)
        }
    }

    @Test func upgradeFromV10AddsTheFilesTable() async throws {
        let queue = try DatabaseQueue()
        try SalonSchema.migrator.migrate(queue, upTo: "v10-pep-items-by-item-id")
        try SalonSchema.migrate(queue)
        let count = try await queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM files") ?? -1 }
        #expect(count == 0)
    }
}
