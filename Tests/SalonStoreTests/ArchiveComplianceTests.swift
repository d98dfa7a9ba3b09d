import Foundation
import PersistentChat
import SalonTestSupport
import Testing
@testable import SalonStore

/// The compliance journal written with the archive's changes, once per backend: a post's CHAT
/// event in the group commit that archives it, events queued alone in queue order, and the
/// administrative changes' events in the change's transaction. Every test ends with the chain
/// verified (`ComplianceStore.verify`).
@Suite struct ArchiveComplianceTests {
    private func chatPost(_ room: String, _ index: Int) -> StoredMessage {
        var message = archiveMessage(room, index)
        message.compliance = .chat(time: 1_700_000_000_000 + Int64(index), user: message.senderJID,
                                   session: message.senderJID + "/phone", room: room, stanza: message.stanza)
        return message
    }

    private func backchat(_ index: Int) -> ComplianceEvent {
        .backchat(time: 1_700_000_000_000 + Int64(index), user: "alice@example.com", session: "alice@example.com/phone",
                  room: "lobby", source: "mam", rooms: ["lobby"], query: CompliancePayload([("n", .number(Int64(index)))]),
                  results: index)
    }

    /// The payload's field `key` (the journal keeps JSON).
    private func field(_ record: ComplianceRecord, _ key: String) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(record.payload.utf8)) as? [String: Any]
        return object?[key] as? String
    }

    /// Appends queued by one caller, told through their completions; returns each one's outcome by label.
    private func queue(_ writer: any ArchiveWriter,
                       _ appends: [(label: String, post: StoredMessage?, events: [ComplianceEvent])]) async -> [String: Bool] {
        let (stream, continuation) = AsyncStream<(String, Bool)>.makeStream()
        for append in appends {
            if let post = append.post {
                writer.append(post) { continuation.yield((append.label, (try? $0.get()) != nil)) }
            } else {
                writer.journal(append.events) { continuation.yield((append.label, (try? $0.get()) != nil)) }
            }
        }
        var outcomes: [String: Bool] = [:]
        for await (label, succeeded) in stream {
            outcomes[label] = succeeded
            if outcomes.count == appends.count { break }
        }
        return outcomes
    }

    /// Posts and events queued together: the journal holds them in queue order, a refused post
    /// (its stanza-id already archived) leaves no event, and the chain verifies.
    @Test(arguments: TestBackend.all) func postsAndEventsAreJournaledInQueueOrder(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let writer = database.archiveWriter(maxBatch: 2, commitObserver: nil)
            let first = chatPost("lobby", 1)
            #expect(try await writer.append(first) == 1)
            let outcomes = await queue(writer, [
                ("again", first, []),
                ("backchat", nil, [backchat(2)]),
                ("second", chatPost("deals", 3), []),
                ("two events", nil, [backchat(4), backchat(5)]),
                ("plain", archiveMessage("lobby", 6), []),
                ("third", chatPost("lobby", 7), []),
            ])
            #expect(outcomes == ["again": false, "backchat": true, "second": true, "two events": true, "plain": true, "third": true])
            await writer.close()
            let rows = try await database.compliance.events(1...100)
            #expect(rows.map(\.type) == ["CHAT", "BACKCHAT", "CHAT", "BACKCHAT", "BACKCHAT", "CHAT"])
            #expect(rows.map(\.room) == ["lobby", "lobby", "deals", "lobby", "lobby", "lobby"])
            #expect(rows[0].payload == first.stanza)
            #expect(rows.map(\.time) == [1, 2, 3, 4, 5, 7].map { 1_700_000_000_000 + Int64($0) })
            #expect(try await database.compliance.verify() == (6, nil))
        }
    }

    /// Plain posts (which PostgreSQL commits two batches at a time) queued between events: the
    /// events keep queue order, and each room's posts are numbered in queue order.
    @Test(arguments: TestBackend.all) func eventsBetweenPlainPostsKeepQueueOrder(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let writer = database.archiveWriter(maxBatch: 3, commitObserver: nil)
            let appends = (0..<60).map { index -> (label: String, post: StoredMessage?, events: [ComplianceEvent]) in
                index % 7 == 3
                    ? ("\(index)", nil, [backchat(index)])
                    : ("\(index)", archiveMessage(index % 2 == 0 ? "lobby" : "deals", index), [])
            }
            let outcomes = await queue(writer, appends)
            #expect(outcomes.count == 60)
            #expect(!outcomes.values.contains(false))
            await writer.close()
            let times: [Int64] = try await database.compliance.events(1...100).map(\.time)
            let eventIndexes: [Int] = (0..<60).filter { $0 % 7 == 3 }
            #expect(times == eventIndexes.map { 1_700_000_000_000 + Int64($0) })
            let posts: [StoredMessage] = appends.compactMap(\.post)
            for room in ["lobby", "deals"] {
                let page = try await database.archive.query(archiveQuery(room) { $0.max = 100 })
                let queued: [String] = posts.filter { $0.room == room }.map(\.stanzaID)
                #expect(page.messages.map(\.stanzaID) == queued)
                #expect(page.messages.map(\.sequence) == Array(1...Int64(queued.count)))
            }
        }
    }

    /// An event no backend can store is refused at once and nothing of it is written.
    @Test(arguments: TestBackend.all) func aHostileEventIsRefusedBeforeTheBatch(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let writer = database.archiveWriter(maxBatch: 8, commitObserver: nil)
            var nul = backchat(1)
            nul.payload = "{\"n\":\"\u{0}\"}"
            #expect(await storeErrorKind { try await writer.journal([backchat(0), nul]) } == .invalidArgument)
            try await writer.journal([backchat(2)])
            await writer.close()
            #expect(try await database.compliance.events(1...10).map(\.time) == [1_700_000_000_002])
            #expect(try await database.compliance.verify() == (1, nil))
        }
    }

    /// Replacing, removing and clearing with an actor write MESSAGE_REPLACED, MESSAGE_REMOVED and
    /// ROOM_CLEARED with the change, naming each message and its old text; without one, none.
    @Test(arguments: TestBackend.all) func administrativeChangesAreJournaled(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let writer = database.archiveWriter(maxBatch: 64, commitObserver: nil)
            for message in roomMessages("lobby", 8) { _ = try await writer.append(message) }
            await writer.close()
            let archive = database.archive
            let admin = ComplianceActor(actor: "admin@example.com", session: "admin@example.com/cli", time: 42)
            let replacement = ArchiveReplacement(body: "[removed]") { _ in "<message type='groupchat'><body>[removed]</body></message>" }
            #expect(try await archive.remove(room: "lobby", authors: [], from: archiveTime(6), to: archiveTime(7), text: nil,
                                             replacement: replacement, journal: admin) == 2)
            #expect(try await archive.remove(room: "lobby", authors: [], from: archiveTime(3), to: archiveTime(4), text: nil,
                                             replacement: nil, journal: admin) == 2)
            #expect(try await archive.clear(room: "lobby", until: archiveTime(1), journal: admin) == 2)
            // Without an actor (compliance off) nothing is journaled.
            #expect(try await archive.clear(room: "lobby", until: archiveTime(2), journal: nil) == 1)
            // A change refused before it starts writes nothing either.
            let hostile = ArchiveReplacement(body: "bad \u{0}") { $0 }
            #expect(await storeErrorKind {
                _ = try await archive.remove(room: "lobby", authors: [], from: nil, to: nil, text: nil, replacement: hostile, journal: admin)
            } == .invalidArgument)
            #expect(try await archive.query(archiveQuery("lobby")).ids == stanzaIDs("lobby", [5, 6, 7]))

            let rows = try await database.compliance.events(1...100)
            #expect(rows.map(\.type) == ["MESSAGE_REPLACED", "MESSAGE_REPLACED", "MESSAGE_REMOVED", "MESSAGE_REMOVED", "ROOM_CLEARED"])
            #expect(rows.map { field($0, "target") } == ["lobby-6", "lobby-7", "lobby-3", "lobby-4", nil])
            #expect(rows.map { field($0, "before") } == ["message 6", "message 7", "message 3", "message 4", nil])
            #expect(field(rows[0], "after") == "[removed]")
            #expect(field(rows[4], "after") == "2 messages deleted")
            #expect(rows.allSatisfy { $0.actorBare == "admin@example.com" && $0.actorFull == "admin@example.com/cli" && $0.time == 42 })
            #expect(rows.allSatisfy { $0.room == "lobby" })
            #expect(try await database.compliance.verify() == (5, nil))
        }
    }

    /// Two nodes' archive writers, their stores' administrative changes and direct appends, all
    /// at once: one unbroken chain holding every event, a CHAT event for each post archived.
    @Test(arguments: TestBackend.all) func writersOnTwoNodesMakeOneChain(backend: TestBackend) async throws {
        try await withTwoNodes(backend) { first, second async throws in
            let nodes = [first, second]
            let writers = nodes.map { $0.archiveWriter(maxBatch: 8, commitObserver: nil) }
            let perTask = 30
            // Per task: a queued event every fifth post, a direct append every seventh.
            let journaledAlone = 4 * ((0..<perTask).filter { $0 % 5 == 0 }.count + (0..<perTask).filter { $0 % 7 == 0 }.count)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<4 {
                    let writer = writers[task % 2], node = nodes[task % 2]
                    group.addTask {
                        for index in 0..<perTask {
                            let number = task * 1000 + index
                            _ = try await writer.append(self.chatPost(["lobby", "deals"][index % 2], number))
                            if index % 5 == 0 {
                                try await writer.journal([self.backchat(number)])
                            }
                            if index % 7 == 0 {
                                try await node.compliance.append([self.backchat(number + 500)])
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            for writer in writers { await writer.close() }
            let admin = ComplianceActor(actor: "admin@example.com", time: 1)
            let cleared = try await second.archive.clear(room: "deals", until: .distantFuture, journal: admin)
            #expect(cleared == 4 * perTask / 2)
            let expected = 4 * perTask + journaledAlone + 1
            #expect(try await first.compliance.verify() == (Int64(expected), nil))
            let rows = try await second.compliance.events(1...Int64(expected))
            #expect(rows.map(\.seq) == Array(1...Int64(expected)))
            #expect(rows.filter { $0.type == "CHAT" }.count == 4 * perTask)
            #expect(rows.last?.type == "ROOM_CLEARED")
        }
    }
}
