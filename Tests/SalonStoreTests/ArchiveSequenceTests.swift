import Foundation
import Testing
@testable import SalonStore

/// Sequence numbers, stanza-id uniqueness and validation of messages archived the way rooms
/// archive them: through the `ArchiveWriter`.
@Suite struct ArchiveSequenceTests {
    /// A room's archived messages, oldest first.
    private func archived(_ database: SalonDatabase, room: String) async throws -> [StoredMessage] {
        try await database.archive.query(ArchiveQuery(rooms: [room])).messages
    }

    @Test func appendNumbersMessagesPerRoomFromOne() async throws {
        let writer = SQLiteArchiveWriter(database: try SalonDatabase.inMemory())
        #expect(try await writer.append(sampleMessage(room: "lobby", 0)) == 1)
        #expect(try await writer.append(sampleMessage(room: "lobby", 1)) == 2)
        #expect(try await writer.append(sampleMessage(room: "deals", 0)) == 1)
        // The sequence a caller passes in is ignored.
        var preset = sampleMessage(room: "lobby", 2)
        preset.sequence = 99
        #expect(try await writer.append(preset) == 3)
        #expect(try await writer.append(sampleMessage(room: "deals", 1)) == 2)
        await writer.close()
    }

    @Test func aRoomsMessagesComeBackOldestFirstAsStored() async throws {
        let database = try SalonDatabase.inMemory()
        let writer = SQLiteArchiveWriter(database: database)
        var appended: [StoredMessage] = []
        for index in 0..<10 {
            var message = sampleMessage(room: "lobby", index, subject: index == 4 ? "Story title" : nil)
            message.sequence = try await writer.append(message)
            appended.append(message)
            _ = try await writer.append(sampleMessage(room: "other", index))
        }
        await writer.close()
        #expect(try await archived(database, room: "lobby") == appended)
        #expect(try await archived(database, room: "nowhere") == [])
        #expect(try await archived(database, room: "lobby")[4].subject == "Story title")
    }

    @Test func appendedMessagesSurviveReopening() async throws {
        try await withTemporaryDirectory { path in
            let first = try SalonDatabase(directory: path)
            let writer = SQLiteArchiveWriter(database: first)
            var message = sampleMessage(room: "lobby", 0, subject: "Title")
            message.sequence = try await writer.append(message)
            await writer.close()
            try first.close()

            let second = try SalonDatabase(directory: path)
            defer { try? second.close() }
            #expect(try await archived(second, room: "lobby") == [message])
            let next = SQLiteArchiveWriter(database: second)
            #expect(try await next.append(sampleMessage(room: "lobby", 1)) == 2)
            await next.close()
        }
    }

    @Test func aStanzaIDIsStoredOnce() async throws {
        let database = try SalonDatabase.inMemory()
        let writer = SQLiteArchiveWriter(database: database)
        let message = sampleMessage(room: "lobby", 0)
        _ = try await writer.append(message)
        var copy = message
        copy.room = "other"
        #expect(await storeErrorKind { _ = try await writer.append(copy) } == .conflict)
        #expect(try await archived(database, room: "other") == [])
        #expect(try await writer.append(sampleMessage(room: "lobby", 1)) == 2)
        await writer.close()
    }

    @Test func deleteMessagesEmptiesOneRoomAndNeverReusesItsNumbers() async throws {
        let database = try SalonDatabase.inMemory()
        let archive = database.archive
        let writer = SQLiteArchiveWriter(database: database)
        for index in 0..<3 {
            _ = try await writer.append(sampleMessage(room: "lobby", index))
            _ = try await writer.append(sampleMessage(room: "deals", index))
        }
        try await archive.deleteMessages(room: "lobby")
        #expect(try await archived(database, room: "lobby") == [])
        #expect(try await archived(database, room: "deals").map(\.sequence) == [1, 2, 3])
        #expect(try await writer.append(sampleMessage(room: "lobby", 3)) == 4)
        try await archive.deleteMessages(room: "nowhere")
        await writer.close()
    }

    @Test func malformedMessagesAreRefused() async throws {
        let database = try SalonDatabase.inMemory()
        let writer = SQLiteArchiveWriter(database: database)
        var malformed: [StoredMessage] = []
        var noRoom = sampleMessage(room: "", 0)
        noRoom.room = ""
        malformed.append(noRoom)
        var noStanzaID = sampleMessage(room: "lobby", 0)
        noStanzaID.stanzaID = ""
        malformed.append(noStanzaID)
        var noSender = sampleMessage(room: "lobby", 0)
        noSender.senderJID = ""
        malformed.append(noSender)
        var hugeBody = sampleMessage(room: "lobby", 0)
        hugeBody.body = String(repeating: "x", count: (1 << 20) + 1)
        malformed.append(hugeBody)
        var notATime = sampleMessage(room: "lobby", 0)
        notATime.timestamp = Date(timeIntervalSince1970: .nan)
        malformed.append(notATime)
        var farFuture = sampleMessage(room: "lobby", 0)
        farFuture.timestamp = Date(timeIntervalSince1970: 1e300)
        malformed.append(farFuture)

        for message in malformed {
            #expect(await storeErrorKind { _ = try await writer.append(message) } == .invalidArgument)
        }
        #expect(try await archived(database, room: "lobby") == [])
        await writer.close()
    }
}
