import Foundation
import PostgresNIO
@testable import SalonStore
import SalonTestSupport
import Testing

/// What only the rooms' archive on PostgreSQL has: several nodes writing the same rooms, its
/// text search configuration, a pool that is gone. The archive's behaviour is tested once per
/// backend in ArchivePagingTests, ArchiveFilterTests, ArchiveSearchTests and ArchiveAdministrationTests.
@Suite(.enabled(if: TestBackend.postgresEnabled, Comment(rawValue: TestBackend.skipReason)))
struct PostgresArchiveTests {
    /// Two nodes (two pools) writing the same rooms at once: each room's sequences are
    /// 1…n without repeats, and archive order within a room is sequence order.
    @Test func twoNodesWritingTheSameRoomsKeepSequencesUniqueAndOrdered() async throws {
        try await TestCluster.withScratchSchema { configuration async throws in
            let nodes = [try await PostgresBackend.open(configuration), try await PostgresBackend.open(configuration)]
            let writers = nodes.map { $0.archiveWriter(maxBatch: 16, commitObserver: nil) }
            let rooms = ["lobby", "deals", "news"]
            let perNode = 120
            let sequences = try await withThrowingTaskGroup(of: [String: [Int64]].self) { group in
                for (node, writer) in writers.enumerated() {
                    for task in 0..<4 {
                        group.addTask {
                            var drawn: [String: [Int64]] = [:]
                            for index in stride(from: task, to: perNode, by: 4) {
                                let room = rooms[index % rooms.count]
                                let message = archiveMessage(room, node * 10_000 + index)
                                drawn[room, default: []].append(try await writer.append(message))
                            }
                            return drawn
                        }
                    }
                }
                return try await group.reduce(into: [String: [Int64]]()) { all, drawn in
                    all.merge(drawn) { $0 + $1 }
                }
            }
            for writer in writers { await writer.close() }
            for room in rooms {
                let drawn = try #require(sequences[room]).sorted()
                #expect(drawn == Array(1...Int64(drawn.count)))
                let page = try await nodes[1].archive.query(archiveQuery(room) { $0.max = 1000 })
                #expect(page.count == drawn.count)
                #expect(page.messages.map(\.sequence) == drawn)
            }
            #expect(sequences.values.map(\.count).reduce(0, +) == 2 * perNode)
            for node in nodes { await node.shutdown() }
        }
    }

    /// The same stanza-id sent through both nodes is archived once; the other append is a conflict.
    @Test func aStanzaIDArchivedByOneNodeIsAConflictOnTheOther() async throws {
        try await TestCluster.withScratchSchema { configuration async throws in
            let nodes = [try await PostgresBackend.open(configuration), try await PostgresBackend.open(configuration)]
            let first = nodes[0].archiveWriter(maxBatch: 8, commitObserver: nil)
            let second = nodes[1].archiveWriter(maxBatch: 8, commitObserver: nil)
            #expect(try await first.append(archiveMessage("lobby", 0)) == 1)
            let kind = await storeErrorKind { _ = try await second.append(archiveMessage("lobby", 0)) }
            #expect(kind == .conflict)
            #expect(try await second.append(archiveMessage("lobby", 1)) == 2)
            #expect(try await nodes[0].archive.query(archiveQuery("lobby")).count == 2)
            await first.close()
            await second.close()
            for node in nodes { await node.shutdown() }
        }
    }

    /// A batch of posts alone that repeats an archived stanza-id: the index refuses the whole
    /// statement, the look-up then stores the others, numbered without a gap and counted once.
    @Test func anArchivedStanzaIDInABatchFailsOnlyItsOwnAppend() async throws {
        try await TestCluster.withScratchSchema { configuration async throws in
            let database = try await PostgresBackend.open(configuration)
            let writer = database.archiveWriter(maxBatch: 16, commitObserver: nil)
            #expect(try await writer.append(archiveMessage("lobby", 2)) == 1)
            let (stream, continuation) = AsyncStream<(Int, Int64?)>.makeStream()
            for index in 1...5 {
                writer.append(archiveMessage("lobby", index)) { continuation.yield((index, try? $0.get())) }
            }
            var results: [Int: Int64?] = [:]
            for await (index, sequence) in stream {
                results[index] = sequence
                if results.count == 5 { break }
            }
            #expect(results == [1: 2, 2: nil, 3: 3, 4: 4, 5: 5])
            let page = try await database.archive.query(archiveQuery("lobby") { $0.max = 10 })
            #expect(page.count == 5)
            #expect(page.messages.map(\.stanzaID) == ["lobby-2", "lobby-1", "lobby-3", "lobby-4", "lobby-5"])
            await writer.close()
            await database.shutdown()
        }
    }

    /// Another text search configuration rebuilds the search column: 'english' stems, so
    /// "reports" finds "report"; 'simple' (the default) does not. An unknown one is refused.
    @Test func theTextSearchConfigurationIsTheOperatorsChoice() async throws {
        try await TestCluster.withScratchSchema { configuration async throws in
            var search = ArchiveQuery(rooms: ["lobby"])
            search.text = TextFilter("reports")
            let simple = try await PostgresBackend.open(configuration)
            let writer = simple.archiveWriter(maxBatch: 8, commitObserver: nil)
            _ = try await writer.append(archiveMessage("lobby", 0, body: "the quarterly report"))
            await writer.close()
            #expect(try await simple.archive.query(search).ids == [])
            await simple.shutdown()

            var english = configuration
            english.textSearch = "english"
            let stemming = try await PostgresBackend.open(english)
            #expect(try await stemming.archive.query(search).ids == ["lobby-0"])
            await stemming.shutdown()

            var unknown = configuration
            unknown.textSearch = "klingon"
            #expect(await storeErrorKind { _ = try await PostgresBackend.open(unknown) } == .invalidArgument)
        }
    }

    /// Batches sent while the one before commits (posts alone, pipelined): the rows carry the
    /// search vectors built ahead, or by the insert for a batch with nothing to overlap (the
    /// table's trigger, made to fail here, is never needed), each equal to what the table would
    /// build, and each room's sequences run 1…n in archive order, each caller told its own.
    @Test func pipelinedBatchesStoreTheVectorsBuiltAheadInOrder() async throws {
        try await TestCluster.withScratchSchema { configuration async throws in
            let database = try await PostgresBackend.open(configuration)
            try await executeRaw(database, """
                CREATE OR REPLACE FUNCTION salon_room_messages_search() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'the vector was not built ahead'; END $$
                """)
            let writer = database.archiveWriter(maxBatch: 8, commitObserver: nil)
            let rooms = ["lobby", "deals"]
            let told = try await withThrowingTaskGroup(of: (String, Int, Int64).self) { group in
                for index in 0..<240 {
                    group.addTask {
                        let room = rooms[index % 2]
                        let message = archiveMessage(room, index, body: "Ünïcode déjà-vu \(index) it's \"quoted\" \\ back")
                        return (room, index, try await writer.append(message))
                    }
                }
                return try await group.reduce(into: [(String, Int, Int64)]()) { $0.append($1) }
            }
            await writer.close()
            for room in rooms {
                let mine = told.filter { $0.0 == room }
                #expect(mine.map(\.2).sorted() == Array(1...Int64(mine.count)))
                let page = try await database.archive.query(archiveQuery(room) { $0.max = 1000 })
                #expect(page.messages.map(\.sequence) == Array(1...Int64(mine.count)))
                // Each caller was told the sequence its own message got.
                let sequenceOf = Dictionary(uniqueKeysWithValues: page.messages.map { ($0.stanzaID, $0.sequence) })
                #expect(mine.allSatisfy { sequenceOf["\(room)-\($0.1)"] == $0.2 })
            }
            #expect(try await rowCount(database, "room_messages", where: """
                body_search IS DISTINCT FROM to_tsvector('simple', salon_search_text(body))
                """) == 0)
            var search = ArchiveQuery(rooms: ["lobby"])
            search.text = TextFilter("deja vu 12")
            #expect(try await database.archive.query(search).ids == ["lobby-12"])
            await database.shutdown()
        }
    }

    /// Vectors built with a configuration that has changed since, and rows inserted without
    /// any (an import), get theirs built by the insert, with the configuration in force.
    @Test func vectorsOfAnotherConfigurationOrNoneAreBuiltByTheInsert() async throws {
        try await TestCluster.withScratchSchema { configuration async throws in
            let database = try await PostgresBackend.open(configuration)
            let stale = await PostgresArchiveSearchVectors.build(["the quarterly reports"], database.access)
            #expect(stale.configuration == "simple" && stale.array.count == 1)
            // Any other writer's row gets its vector from the table's trigger.
            try await executeRaw(database, """
                INSERT INTO room_messages (room, sequence, stanza_id, sender, nick, occupant_id, timestamp, body, stanza)
                VALUES ('elsewhere', 1, 'raw-1', 'a@example.com', 'a', 'o', 0, 'Raw déjà-vu', '<message/>')
                """)
            #expect(try await rowCount(database, "room_messages", where: """
                body_search = to_tsvector('simple', 'raw deja vu')
                """) == 1)
            try await executeRaw(database, """
                CREATE OR REPLACE FUNCTION salon_room_messages_search() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'the insert did not build the vector'; END $$
                """)
            try await executeRaw(database, "UPDATE room_search SET configuration = 'english'")
            let items = (0..<2).map { index in
                ArchiveBatchInsert.Item(message: archiveMessage("lobby", index, body: "the quarterly reports"),
                                        timestamp: Int64(1_700_000_000_000 + index))
            }
            let results = try await database.access.transaction { transaction in
                try await PostgresArchiveInsert.insert([items[0]], transaction, vectors: stale)
                    + PostgresArchiveInsert.insert([items[1]], transaction)
            }
            #expect(results.map { try? $0.get() } == [1, 2])
            #expect(try await rowCount(database, "room_messages", where: """
                room = 'lobby' AND body_search = to_tsvector('english', salon_search_text(body))
                AND body_search @@ to_tsquery('english', 'report')
                """) == 2)
            await database.shutdown()
        }
    }

    /// The pool gone (the database unreachable): appends fail as unavailable, never acknowledged.
    @Test func appendsFailWhenTheDatabaseIsGone() async throws {
        try await TestCluster.withScratchSchema { configuration async throws in
            let node = try await PostgresBackend.open(configuration)
            let writer = node.archiveWriter(maxBatch: 8, commitObserver: nil)
            await node.shutdown()
            #expect(await storeErrorKind { _ = try await writer.append(archiveMessage("lobby", 0)) } == .unavailable)
            await writer.close()
        }
    }
}
