import NIOCore

extension MUCService {
    /// Rooms live and their occupants, for a scrape: each loop counts the occupants of its own
    /// rooms (rooms are confined to their loops), one hop per loop, nothing on the rooms' paths.
    func occupancy() async -> (rooms: Int, occupants: Int) {
        let rooms = liveRooms
        var byLoop: [ObjectIdentifier: (loop: EventLoop, rooms: [MUCRoom])] = [:]
        for room in rooms {
            byLoop[ObjectIdentifier(room.loop), default: (room.loop, [])].rooms.append(room)
        }
        var occupants = 0
        for (loop, loopRooms) in byLoop.values {
            let count = try? await loop.submit { loopRooms.reduce(0) { $0 + $1.occupants.count } }.get()
            occupants += count ?? 0
        }
        return (rooms.count, occupants)
    }
}
