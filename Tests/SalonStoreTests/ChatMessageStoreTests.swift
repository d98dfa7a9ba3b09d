import Foundation
import Testing
@testable import SalonStore

@Suite struct ChatMessageStoreTests {
    @Test func appendNumbersMessagesPerRoomFromOne() async throws {
        let chat = try SalonDatabase.inMemory().chat
        #expect(try await chat.append(sampleMessage(room: "lobby", 0)) == 1)
        #expect(try await chat.append(sampleMessage(room: "lobby", 1)) == 2)
        #expect(try await chat.append(sampleMessage(room: "deals", 0)) == 1)
        // The sequence a caller passes in is ignored.
        var preset = sampleMessage(room: "lobby", 2)
        preset.sequence = 99
        #expect(try await chat.append(preset) == 3)
        #expect(try await chat.append(sampleMessage(room: "deals", 1)) == 2)
    }

    @Test func aBatchIsNumberedInOrderAndWrittenWhole() async throws {
        let chat = try SalonDatabase.inMemory().chat
        _ = try await chat.append(sampleMessage(room: "lobby", 0))
        let batch = [sampleMessage(room: "lobby", 1), sampleMessage(room: "deals", 0), sampleMessage(room: "lobby", 2)]
        #expect(try await chat.append(contentsOf: batch) == [2, 1, 3])
        #expect(try await chat.append(contentsOf: []) == [])

        // A duplicate stanza ID anywhere in a batch fails all of it.
        var duplicate = sampleMessage(room: "deals", 2)
        duplicate.stanzaID = batch[0].stanzaID
        let kind = await storeErrorKind {
            _ = try await chat.append(contentsOf: [sampleMessage(room: "deals", 1), duplicate])
        }
        #expect(kind == .conflict)
        #expect(try await chat.recentMessages(room: "deals", limit: 10).map(\.sequence) == [1])
        #expect(try await chat.recentMessages(room: "lobby", limit: 10).map(\.nick) == ["Alice 0", "Alice 1", "Alice 2"])
    }

    @Test func recentMessagesAreTheLastOnesOldestFirst() async throws {
        let chat = try SalonDatabase.inMemory().chat
        var appended: [StoredMessage] = []
        for index in 0..<10 {
            var message = sampleMessage(room: "lobby", index, subject: index == 4 ? "Story title" : nil)
            message.sequence = try await chat.append(message)
            appended.append(message)
            _ = try await chat.append(sampleMessage(room: "other", index))
        }
        #expect(try await chat.recentMessages(room: "lobby", limit: 3) == Array(appended[7...]))
        #expect(try await chat.recentMessages(room: "lobby", limit: 100) == appended)
        #expect(try await chat.recentMessages(room: "lobby", limit: 0) == [])
        #expect(try await chat.recentMessages(room: "lobby", limit: -5) == [])
        #expect(try await chat.recentMessages(room: "nowhere", limit: 10) == [])
        #expect(try await chat.recentMessages(room: "lobby", limit: 6).first?.subject == "Story title")
    }

    @Test func appendedMessagesSurviveReopening() async throws {
        try await withTemporaryDirectory { path in
            let first = try SalonDatabase(directory: path)
            var message = sampleMessage(room: "lobby", 0, subject: "Title")
            message.sequence = try await first.chat.append(message)
            try first.close()

            let second = try SalonDatabase(directory: path)
            defer { try? second.close() }
            #expect(try await second.chat.recentMessages(room: "lobby", limit: 10) == [message])
            #expect(try await second.chat.append(sampleMessage(room: "lobby", 1)) == 2)
        }
    }

    @Test func aStanzaIDIsStoredOnce() async throws {
        let chat = try SalonDatabase.inMemory().chat
        let message = sampleMessage(room: "lobby", 0)
        _ = try await chat.append(message)
        var copy = message
        copy.room = "other"
        #expect(await storeErrorKind { _ = try await chat.append(copy) } == .conflict)
        #expect(try await chat.recentMessages(room: "other", limit: 10) == [])
        #expect(try await chat.append(sampleMessage(room: "lobby", 1)) == 2)
    }

    @Test func deleteMessagesEmptiesOneRoomAndNeverReusesItsNumbers() async throws {
        let chat = try SalonDatabase.inMemory().chat
        for index in 0..<3 {
            _ = try await chat.append(sampleMessage(room: "lobby", index))
            _ = try await chat.append(sampleMessage(room: "deals", index))
        }
        try await chat.deleteMessages(room: "lobby")
        #expect(try await chat.recentMessages(room: "lobby", limit: 10) == [])
        #expect(try await chat.recentMessages(room: "deals", limit: 10).map(\.sequence) == [1, 2, 3])
        #expect(try await chat.append(sampleMessage(room: "lobby", 3)) == 4)
        try await chat.deleteMessages(room: "nowhere")
    }

    @Test func malformedMessagesAreRefused() async throws {
        let chat = try SalonDatabase.inMemory().chat
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
            #expect(await storeErrorKind { _ = try await chat.append(message) } == .invalidArgument)
        }
        #expect(try await chat.recentMessages(room: "lobby", limit: 10) == [])
    }
}
