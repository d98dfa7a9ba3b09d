/// What one user may do with one room: every decision the MUC service needs.
public struct RoomAccess: Sendable, Hashable {
    /// Listed in disco#items / search.
    public var canFind: Bool
    /// Name, description, disco#info (else item-not-found).
    public var canSeeDetails: Bool
    /// The member list.
    public var canSeeMembers: Bool
    /// May enter the room.
    public var canJoin: Bool
    /// History, archive, search content.
    public var canRead: Bool
    /// Groupchat messages (for an occupant).
    public var canPost: Bool
    /// Change settings/roles (manager or administrator).
    public var canManage: Bool
    /// Administrators only.
    public var canDelete: Bool
    /// Covered by the member list and in scope.
    public var isMember: Bool
    /// Covered by the manager list and in scope.
    public var isManager: Bool
    /// An effective presenter of an Auditorium room.
    public var isPresenter: Bool

    /// Creates an access record; every right defaults to false.
    public init(canFind: Bool = false, canSeeDetails: Bool = false, canSeeMembers: Bool = false, canJoin: Bool = false,
                canRead: Bool = false, canPost: Bool = false, canManage: Bool = false, canDelete: Bool = false,
                isMember: Bool = false, isManager: Bool = false, isPresenter: Bool = false) {
        self.canFind = canFind
        self.canSeeDetails = canSeeDetails
        self.canSeeMembers = canSeeMembers
        self.canJoin = canJoin
        self.canRead = canRead
        self.canPost = canPost
        self.canManage = canManage
        self.canDelete = canDelete
        self.isMember = isMember
        self.isManager = isManager
        self.isPresenter = isPresenter
    }

    /// No right and no role at all.
    public static let none = RoomAccess()
}
