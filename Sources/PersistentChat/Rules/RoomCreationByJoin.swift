/// Creating a room by entering it (XEP-0045 §10.1): the creator is already inside, so the room
/// they configure must let them stay.
extension ChatDirectory {
    /// Creates `room` for `user` as `createRoom` does, and refuses (changing nothing) when the
    /// result would shut its creator out, e.g. an administrator outside the category's scope.
    public mutating func createRoomByJoining(_ room: Room, by user: String) throws(ChatRuleError) -> Room {
        var trial = self
        let created = try trial.createRoom(room, by: .user(user))
        guard trial.access(of: user, to: created).canJoin else {
            throw ChatRuleError(.invalid, "You could not stay in room \(created.name): you are outside the scope of category \(created.category). Choose a category whose members include you.")
        }
        self = trial
        return created
    }
}
