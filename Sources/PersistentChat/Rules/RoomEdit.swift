/// A change to a room, as every front end collects it — the muc#owner form (each room feature
/// reads its fields into one), the ad-hoc commands and the CLI; nil leaves a setting as it is.
/// `apply(to:in:)` is the one place an edit becomes a room. Who may change what (managers their
/// rooms, administrators everything) is `updateRoom`'s call.
public struct RoomEdit: Sendable {
    public var name: String?
    public var description: String?
    public var category: String?
    public var type: RoomType?
    public var privacy: RoomPrivacy?
    public var invitations: RoomInvitations?
    /// The add-in's name; "" removes it (see `setAddIn`).
    public var addIn: String?
    public var disabled: Bool?
    public var members = PrincipalListEdit()
    public var managers = PrincipalListEdit()
    public var presenters = PrincipalListEdit()

    // The standard XEP-0045 yes/no questions, as asked (only when the form changed them): the
    // model answers each, against the room as edited.
    /// muc#roomconfig_membersonly.
    public var membersOnly: Bool?
    /// muc#roomconfig_publicroom.
    public var listed: Bool?
    /// muc#roomconfig_moderatedroom: an auditorium or not.
    public var moderated: Bool?
    /// muc#roomconfig_allowinvites.
    public var allowsInvitations: Bool?
    /// muc#roomconfig_enablearchiving: the category decides; a room may only repeat it.
    public var archived: Bool?
    /// muc#roomconfig_whois: fixed (anyone).
    public var realJIDsVisibleToAll: Bool?
    /// muc#roomconfig_changesubject: fixed (no).
    public var occupantsChangeSubject: Bool?

    public init() {}

    /// How the CLI and the ad-hoc form name an add-in: "none" (or nothing) removes it.
    public mutating func setAddIn(_ text: String) {
        addIn = text.lowercased() == "none" ? "" : text
    }

    /// The edited room, or the first setting the model refuses. `directory` answers the
    /// category questions (invitations, history) for the room's category as edited.
    public func apply(to room: inout Room, in directory: ChatDirectory) throws(ChatRuleError) {
        if let name { room.name = name }
        if let description { room.description = description }
        if let category { room.category = category }
        let chosenPrivacy = privacy ?? room.privacy
        if membersOnly != nil || listed != nil {
            room.privacy = try RoomPrivacy(membersOnly: membersOnly ?? chosenPrivacy.isMembersOnly, listed: listed ?? chosenPrivacy.isListed)
        } else {
            room.privacy = chosenPrivacy
        }
        if let type { room.type = type }
        if let moderated { room.type = RoomType(moderated: moderated) }
        if let invitations { room.invitations = invitations }
        if let allowsInvitations {
            room.invitations = try RoomInvitations.allowing(allowsInvitations, in: directory.category(named: room.category))
        }
        if let addIn { room.addIn = addIn.isEmpty ? nil : addIn }
        if let disabled { room.disabled = disabled }
        room.members = members.applied(to: room.members)
        room.managers = managers.applied(to: room.managers)
        room.presenters = presenters.applied(to: room.presenters)
        if let archived { try FixedRoomRules.checkHistory(archived, in: directory.category(named: room.category)) }
        if let realJIDsVisibleToAll { try FixedRoomRules.checkRealJIDs(visibleToAll: realJIDsVisibleToAll) }
        if let occupantsChangeSubject { try FixedRoomRules.checkSubjectChange(byOccupants: occupantsChangeSubject) }
    }
}

extension ChatDirectory {
    /// Changes a room by an edit, with `updateRoom`'s permission checks.
    public mutating func updateRoom(_ localpart: String, by actor: ChatActor, applying edit: RoomEdit) throws(ChatRuleError) -> RoleStripping {
        let before = self  // the categories the edit is checked against (a value: no overlapping access)
        return try updateRoom(localpart, by: actor) { (room: inout Room) throws(ChatRuleError) in try edit.apply(to: &room, in: before) }
    }
}
