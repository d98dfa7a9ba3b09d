/// The room settings as the yes/no questions XMPP clients ask (XEP-0045 muc#roomconfig), and the
/// model's answer to each: a value the model cannot honour is refused with the rule's words.
extension RoomPrivacy {
    /// Members-only: Closed and Secret.
    public var isMembersOnly: Bool { self != .open }
    /// Listed to anyone in scope: Open and Closed.
    public var isListed: Bool { self != .secret }

    /// The privacy with these two properties; an Open room is always listed, so an unlisted
    /// room that is not members-only does not exist.
    public init(membersOnly: Bool, listed: Bool) throws(ChatRuleError) {
        switch (membersOnly, listed) {
        case (false, true): self = .open
        case (true, true): self = .closed
        case (true, false): self = .secret
        case (false, false):
            throw ChatRuleError(.invalid, "An Open room (not members-only) is always listed: a hidden room is Secret, which is members-only.")
        }
    }
}

/// Behaviours the model fixes for every room.
public enum FixedRoomRules {
    /// Every occupant sees every occupant's real JID (rooms are non-anonymous).
    public static let occupantsSeeRealJIDs = true
    /// Only managers change the subject (they administer the room).
    public static let occupantsChangeSubject = false

    public static func checkRealJIDs(visibleToAll: Bool) throws(ChatRuleError) {
        guard visibleToAll == occupantsSeeRealJIDs else {
            throw ChatRuleError(.invalid, "Every occupant of a persistent-chat room sees the others' real addresses; this cannot be changed.")
        }
    }

    public static func checkSubjectChange(byOccupants: Bool) throws(ChatRuleError) {
        guard byOccupants == occupantsChangeSubject else {
            throw ChatRuleError(.invalid, "Only the room's managers change its subject; this cannot be changed.")
        }
    }

    /// Chat history is the category's setting (design §2); a room shows it and cannot change it.
    public static func checkHistory(_ requested: Bool, in category: Category?) throws(ChatRuleError) {
        let actual = ChatDirectory.keepsHistory(in: category)
        guard requested == actual else {
            throw ChatRuleError(.invalid, "Chat history is \(actual ? "on" : "off") for every room of category \(category?.name ?? "(none)"); only an administrator changes it, on the category.")
        }
    }
}

extension RoomType {
    /// A moderated room (only some occupants have voice) is an auditorium.
    public init(moderated: Bool) {
        self = moderated ? .auditorium : .normal
    }
}

extension RoomInvitations {
    /// The room setting that turns invitations on or off; a room can never switch on what
    /// its category switched off (design §3).
    public static func allowing(_ on: Bool, in category: Category?) throws(ChatRuleError) -> RoomInvitations {
        guard on else { return .off }
        guard category?.invitations == true else {
            throw ChatRuleError(.invalid, "Invitations are off in category \(category?.name ?? "(none)"): a room cannot switch them on.")
        }
        return .inherit
    }
}
