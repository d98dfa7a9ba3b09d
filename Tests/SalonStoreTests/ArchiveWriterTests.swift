import Foundation
import Synchronization
import Testing
@testable import SalonStore

@Suite struct ArchiveWriterTests {
    @Test func concurrentAppendsAreDurableAndNumberedContiguouslyPerRoom() async throws {
        try await withTemporaryDirectory { path in
            let database = try SalonDatabase(directory: path)
            let writer = SQLiteArchiveWriter(database: database, maxBatch: 64)
            let rooms = ["lobby", "deals", "news", "dev"]
            let results = try await withThrowingTaskGroup(of: (String, Int64).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let message = archiveMessage(rooms[index % rooms.count], index)
                        return (message.room, try await writer.append(message))
                    }
                }
                return try await group.reduce(into: [(String, Int64)]()) { $0.append($1) }
            }
            await writer.close()
            try database.close()

            for room in rooms {
                let sequences = results.filter { $0.0 == room }.map(\.1).sorted()
                #expect(sequences == Array(1...50))
            }
            // Everything acknowledged is there after reopening.
            let reopened = try SalonDatabase(directory: path)
            defer { try? reopened.close() }
            for room in rooms {
                var query = ArchiveQuery(rooms: [room])
                query.max = 1000
                let page = try await reopened.archive.query(query)
                #expect(page.count == 50)
                #expect(page.messages.map(\.sequence) == Array(1...50))
            }
        }
    }

    @Test func everyCommitIsReportedWithItsSizeBeforeItsCallersResume() async throws {
        try await withTemporaryDirectory { path in
            let database = try SalonDatabase(directory: path)
            let commits = Mutex<[(Int, Duration)]>([])
            let writer = SQLiteArchiveWriter(database: database, maxBatch: 16) { messages, duration in
                commits.withLock { $0.append((messages, duration)) }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<100 {
                    group.addTask { _ = try await writer.append(archiveMessage("lobby", index)) }
                }
                try await group.waitForAll()
            }
            // Every caller has resumed: every commit is already reported.
            let reported = commits.withLock { $0 }
            #expect(reported.map(\.0).reduce(0, +) == 100)
            #expect(reported.allSatisfy { $0.0 >= 1 && $0.0 <= 16 && $0.1 >= .zero })
            await writer.close()
            try database.close()
        }
    }

    @Test func aDuplicateFailsOnlyItsOwnAppend() async throws {
        let database = try SalonDatabase.inMemory()
        let writer = SQLiteArchiveWriter(database: database)
        _ = try await writer.append(archiveMessage("lobby", 0))
        let first = Task { try await writer.append(archiveMessage("lobby", 1)) }
        let duplicate = Task { try await writer.append(archiveMessage("lobby", 0)) }
        let second = Task { try await writer.append(archiveMessage("lobby", 2)) }
        let sequences = try await [first.value, second.value].sorted()
        #expect(sequences == [2, 3])
        #expect(await storeErrorKind { _ = try await duplicate.value } == .conflict)
        // Stanza-ids are unique across rooms.
        var elsewhere = archiveMessage("other", 0)
        elsewhere.stanzaID = "lobby-0"
        #expect(await storeErrorKind { _ = try await writer.append(elsewhere) } == .conflict)
        #expect(try await writer.append(archiveMessage("lobby", 3)) == 4)
        await writer.close()
        #expect(try await database.archive.query(ArchiveQuery(rooms: ["lobby"])).count == 4)
    }

    @Test func malformedMessagesAndAppendsAfterCloseFail() async throws {
        let database = try SalonDatabase.inMemory()
        let writer = SQLiteArchiveWriter(database: database)
        var malformed = archiveMessage("lobby", 0)
        malformed.senderJID = ""
        #expect(await storeErrorKind { _ = try await writer.append(malformed) } == .invalidArgument)
        await writer.close()
        await writer.close()
        #expect(await storeErrorKind { _ = try await writer.append(archiveMessage("lobby", 1)) } == .other)
        #expect(try await database.archive.query(ArchiveQuery(rooms: ["lobby"])).count == 0)
    }

    @Test func closeWaitsForPendingAppends() async throws {
        let database = try SalonDatabase.inMemory()
        let writer = SQLiteArchiveWriter(database: database, maxBatch: 3)
        let tasks = (0..<20).map { index in
            Task { try await writer.append(archiveMessage("lobby", index)) }
        }
        await Task.yield()
        await writer.close()
        var committed = 0
        for task in tasks {
            if (try? await task.value) != nil { committed += 1 }
        }
        // Each append either committed before close returned or was refused as closed.
        #expect(try await database.archive.query(ArchiveQuery(rooms: ["lobby"])).count == committed)
    }

    @Test func aNewWriterContinuesTheSequences() async throws {
        let database = try SalonDatabase.inMemory()
        let first = SQLiteArchiveWriter(database: database)
        _ = try await first.append(archiveMessage("lobby", 0))
        await first.close()
        let writer = SQLiteArchiveWriter(database: database)
        #expect(try await writer.append(archiveMessage("lobby", 1)) == 2)
        await writer.close()
    }
}
