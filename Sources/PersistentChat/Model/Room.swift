public enum RoomPrivacy: String, Sendable, Codable, CaseIterable { case open, closed, secret }
public enum RoomType: String, Sendable, Codable, CaseIterable { case normal, auditorium }
/// A room can only switch invitations off; it can never switch on what its category switched off.
public enum RoomInvitations: String, Sendable, Codable, CaseIterable { case inherit, off }

/// A room (design §3). Its JID localpart never changes; its display name may.
public struct Room: Sendable, Hashable, Codable {
    public let localpart: String
    /// Unique per service, case-insensitively; never equal to a category name. ≤ 256 characters.
    public var name: String
    public var description: String
    /// The category's name.
    public var category: String
    public var type: RoomType
    public var privacy: RoomPrivacy
    public var invitations: RoomInvitations
    public var disabled: Bool
    /// The registered add-in's name, at most one.
    public var addIn: String?
    /// Open rooms have no member list.
    public var members: [Principal]
    public var managers: [Principal]
    /// Auditorium rooms only; each must be a member (or, in an Open room, in scope).
    public var presenters: [Principal]
    /// The XEP-0045 subject, set by managers.
    public var subject: String
    /// The user who created the room (bare JID), counted against MaxRoomsPerCreator; nil for
    /// rooms made by the system (the CLI) or before creators were recorded. Never changes.
    public var createdBy: String?
    /// The nickname of the occupant who set the subject (XEP-0045 sends the subject `from` it);
    /// nil when nobody set it through XMPP.
    public var subjectAuthor: String?
    /// Room-level outcasts set by managers; like the category's DeniedMembers, deny wins.
    public var banned: [Principal]

    public init(localpart: String, name: String, description: String = "", category: String, type: RoomType = .normal,
                privacy: RoomPrivacy = .closed, invitations: RoomInvitations = .inherit, disabled: Bool = false,
                addIn: String? = nil, members: [Principal] = [], managers: [Principal] = [], presenters: [Principal] = [],
                subject: String = "", createdBy: String? = nil, banned: [Principal] = [],
                subjectAuthor: String? = nil) {
        self.localpart = localpart
        self.name = name
        self.description = description
        self.category = category
        self.type = type
        self.privacy = privacy
        self.invitations = invitations
        self.disabled = disabled
        self.addIn = addIn
        self.members = members
        self.managers = managers
        self.presenters = presenters
        self.subject = subject
        self.createdBy = createdBy
        self.banned = banned
        self.subjectAuthor = subjectAuthor
    }
}

/// The three room roles of the model.
public enum RoomRole: String, Sendable, Codable, CaseIterable { case member, manager, presenter }
