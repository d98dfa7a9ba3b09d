import Testing
@testable import PersistentChat

/// Rendezvous hashing (issue #21): every node computes the same owner for a room, the rooms
/// spread evenly, and a membership change moves only the rooms it must.
struct RoomPlacementTests {
    let rooms = (0..<10_000).map { "room-\($0)" }
    let three = ["node-a", "node-b", "node-c"]

    @Test func theScoreIsTheSameOnEveryProcessAndMachine() {
        // Pinned values, computed apart from Swift (FNV-1a 64 with a NUL separator, then
        // MurmurHash3's finaliser): a seeded hash would differ from run to run.
        #expect(RoomPlacement.weight(node: "node-a", room: "lobby") == 0x3ed3_2f89_1823_9c7f)
        #expect(RoomPlacement.weight(node: "node-b", room: "lobby") == 0x6633_b7bf_7181_fa2f)
        #expect(RoomPlacement.weight(node: "", room: "") == 0xb903_4ad3_7056_f5fb)
        // The separator keeps (node, room) pairs apart that concatenate alike.
        #expect(RoomPlacement.weight(node: "ab", room: "c") != RoomPlacement.weight(node: "a", room: "bc"))
    }

    @Test func everyNodeAgreesWhateverOrderItLearnedTheMembersIn() {
        let one = RoomPlacement(nodes: three)
        let other = RoomPlacement(nodes: ["node-c", "node-a", "node-b", "node-a"])
        #expect(one == other)
        #expect(rooms.allSatisfy { one.owner(of: $0) == other.owner(of: $0) })
        #expect(one.owner(of: "lobby") == "node-c")
    }

    @Test func noLiveNodeOwnsNothing() {
        #expect(RoomPlacement(nodes: []).owner(of: "lobby") == nil)
        #expect(RoomPlacement(nodes: ["solo"]).owner(of: "lobby") == "solo")
    }

    @Test(arguments: [2, 3, 4, 7])
    func eachOfNNodesOwnsAboutOneNthOfTheRooms(count: Int) {
        let placement = RoomPlacement(nodes: (0..<count).map { "node-\($0)" })
        var owned: [String: Int] = [:]
        for room in rooms { owned[placement.owner(of: room)!, default: 0] += 1 }
        #expect(owned.count == count)
        let fair = rooms.count / count
        // Within 15% of a fair share: binomial spread at these sizes is a few percent.
        for (node, rooms) in owned {
            #expect(abs(rooms - fair) < fair * 15 / 100, "\(node) owns \(rooms) rooms, a fair share is \(fair)")
        }
    }

    @Test func aJoiningNodeTakesOnlyTheRoomsItNowWins() {
        let before = RoomPlacement(nodes: three)
        let after = RoomPlacement(nodes: three + ["node-d"])
        let moves = before.moves(to: after, among: rooms)
        #expect(moves.allSatisfy { $0.to == "node-d" })
        #expect(moves.count == rooms.filter { after.owner(of: $0) == "node-d" }.count)
        // About a quarter move, not most of them (as `hash % nodes` would move).
        #expect(moves.count > rooms.count * 20 / 100 && moves.count < rooms.count * 30 / 100)
    }

    @Test func aLeavingNodeGivesUpOnlyItsOwnRooms() {
        let before = RoomPlacement(nodes: three)
        let after = RoomPlacement(nodes: ["node-a", "node-c"])
        let moves = before.moves(to: after, among: rooms)
        #expect(moves.allSatisfy { $0.from == "node-b" && $0.to != nil })
        #expect(moves.count == rooms.filter { before.owner(of: $0) == "node-b" }.count)
        // Every room that stays put kept its owner.
        let moved = Set(moves.map(\.room))
        #expect(rooms.filter { !moved.contains($0) }.allSatisfy { before.owner(of: $0) == after.owner(of: $0) })
    }

    @Test func theLastNodeLeavingLeavesNoOwner() {
        let moves = RoomPlacement(nodes: ["solo"]).moves(to: RoomPlacement(nodes: []), among: ["lobby"])
        #expect(moves == [RoomMove(room: "lobby", from: "solo", to: nil)])
    }
}
