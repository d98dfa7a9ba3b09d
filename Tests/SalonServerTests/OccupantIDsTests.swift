import Testing
@testable import SalonServer

/// XEP-0421 occupant ids: one pseudonym per user and room, stable under one secret.
@Suite struct OccupantIDsTests {
    let ids = OccupantIDs(secret: Array("a secret kept in storage".utf8))

    @Test func sameUserAndRoomGetTheSameID() {
        #expect(ids.id(user: "alice@salon.test", room: "general") == ids.id(user: "alice@salon.test", room: "general"))
        #expect(OccupantIDs(secret: ids.secret).id(user: "alice@salon.test", room: "general") == ids.id(user: "alice@salon.test", room: "general"))
    }

    @Test func idsDoNotLinkRoomsOrUsers() {
        let alice = ids.id(user: "alice@salon.test", room: "general")
        #expect(ids.id(user: "alice@salon.test", room: "random") != alice)
        #expect(ids.id(user: "bob@salon.test", room: "general") != alice)
        // The separator keeps "ab"+"c" and "a"+"bc" apart.
        #expect(ids.id(user: "c", room: "ab") != ids.id(user: "bc", room: "a"))
    }

    @Test func anotherSecretGivesOtherIDs() {
        let other = OccupantIDs(secret: Array("another secret".utf8))
        #expect(other.id(user: "alice@salon.test", room: "general") != ids.id(user: "alice@salon.test", room: "general"))
    }

    @Test func anIDIsFifteenBytesInBase64() {
        let id = ids.id(user: "alice@salon.test", room: "general")
        #expect(id.count == 20)
        #expect(id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "/" })
    }
}
