import PersistentChat

extension ChatDirectory {
    /// A new room from a display name, an optional address (else one made from the name) and
    /// the settings of an edit: how the ad-hoc command and the web pages create rooms, so the
    /// rules `createRoom` applies are met the same way from both.
    public mutating func createRoom(named name: String, address: String?, applying edit: RoomEdit,
                                    by actor: ChatActor) throws(ChatRuleError) -> Room {
        var edit = edit
        edit.name = nil
        var room = Room(localpart: address?.lowercased() ?? RoomAddress.make(from: name, taken: Set(rooms.keys)),
                        name: name, category: edit.category ?? "")
        try edit.apply(to: &room, in: self)
        return try createRoom(room, by: actor)
    }
}
