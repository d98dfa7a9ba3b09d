import Foundation
import GRDB
import PersistentChat
import SalonTestSupport
import Testing
@testable import SalonStore

/// Runs once per backend (`TestBackend`), but for the SQLite file's upgrade.
@Suite struct RoomVCardStoreTests {
    @Test(arguments: TestBackend.all) func aRoomVCardIsSetReplacedRemovedAndGoesWithItsRoom(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, directory async throws in
            let chat = database.chat
            #expect(try await chat.roomVCard(room: "lobby") == nil)
            try await chat.setRoomVCard(room: "lobby", VCardStore.Entry(xml: "<vCard xmlns='vcard-temp'/>", photoHash: nil))
            let photo = VCardStore.Entry(xml: "<vCard xmlns='vcard-temp'><PHOTO/></vCard>", photoHash: "abc")
            try await chat.setRoomVCard(room: "lobby", photo)
            #expect(try await chat.roomVCard(room: "lobby") == photo)
            try await chat.setRoomVCard(room: "deals", photo)
            try await chat.setRoomVCard(room: "deals", nil)
            #expect(try await chat.roomVCard(room: "deals") == nil)
            #expect(await storeErrorKind { try await chat.setRoomVCard(room: "nowhere", photo) } == .roomNotFound)

            var without = directory
            without.rooms["lobby"] = nil
            try await chat.save(without, previous: directory)
            #expect(try await chat.roomVCard(room: "lobby") == nil)
        }
    }

    @Test(arguments: TestBackend.all) func aJoinSaysWhetherItAcceptedAnInvitation(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, _ async throws in
            let chat = database.chat
            try await chat.addInvitation(user: "bob@example.com", room: "lobby")
            #expect(try await chat.recordJoin(user: "bob@example.com", room: "lobby"))
            #expect(try await chat.recordJoin(user: "bob@example.com", room: "lobby") == false)
            #expect(try await chat.recordJoin(user: "bob@example.com", room: "deals") == false)
            #expect(try await chat.joinedRooms(user: "bob@example.com") == ["lobby", "deals"])
            #expect(try await chat.joinedRooms(user: "carol@example.com") == [])
        }
    }

    @Test func theRoomAvatarMigrationUpgradesAnOlderFile() async throws {
        try await withTemporaryDirectory { path in
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let old = try DatabaseQueue(path: path + "/" + SalonDatabase.fileName)
            try SalonSchema.migrator.migrate(old, upTo: "v10-pep-items-by-item-id")
            try old.close()
            let database = try SalonDatabase(directory: path)
            let directory = try richDirectory()
            try await database.chat.save(directory, previous: ChatDirectory())
            try await database.chat.setRoomVCard(room: "lobby", VCardStore.Entry(xml: "<vCard xmlns='vcard-temp'/>", photoHash: nil))
            #expect(try await database.chat.roomVCard(room: "lobby")?.xml == "<vCard xmlns='vcard-temp'/>")
            try database.close()
        }
    }
}
