/// Who may say what in a room (design §3): posting, private messages and the subject.
extension RoomAccess {
    /// Posting a message: whoever the room lets post (`canPost`); in an auditorium only its
    /// presenters. `silenced` is an occupant whose voice was taken for their stay (a mute in a
    /// Normal room, which the model does not store).
    public func checkMayPost(in room: Room, silenced: Bool = false) throws(ChatRuleError) {
        if room.type == .auditorium, !isPresenter {
            throw ChatRuleError(.forbidden, "Only presenters post in an auditorium.")
        }
        guard canPost, !silenced else { throw ChatRuleError(.forbidden, "You may not post in this room.") }
    }

    /// Changing the subject: the room's managers (and administrators), as
    /// `FixedRoomRules.occupantsChangeSubject` states; occupants do not.
    public func checkMayChangeSubject() throws(ChatRuleError) {
        guard canManage || (FixedRoomRules.occupantsChangeSubject && canPost) else {
            throw ChatRuleError(.forbidden, "Only the room's managers change its subject.")
        }
    }
}

extension Room {
    /// Private messages between occupants: everywhere but in an auditorium, where only
    /// presenters speak and the audience listens.
    public func checkAllowsPrivateMessages() throws(ChatRuleError) {
        guard type != .auditorium else {
            throw ChatRuleError(.unavailable, "Private messages are not allowed in an auditorium.")
        }
    }
}
