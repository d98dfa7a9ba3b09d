/// Who may read and submit a room's configuration form (design §3). What a submitted form may
/// change is `updateRoom`'s (`RoomMutations.swift`).
extension RoomAccess {
    /// The room's managers and administrators.
    public func checkMayConfigure() throws(ChatRuleError) {
        guard canManage else { throw ChatRuleError(.forbidden, "Only the room's managers configure it.") }
    }
}
