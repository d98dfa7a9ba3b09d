import PersistentChat

/// Persistent-chat storage: the directory (categories, rooms, add-ins, groups, administrators,
/// policy, settings) with its revision, pending invitations and joins, and room vCards, on
/// whichever backend the deployment uses (`SQLiteChatStore`, `PostgresChatStore`): callers
/// hold `any ChatStore` and never learn which. Room messages are the archive's (`ArchiveStore`).
/// Every method is async and never blocks the caller.
public protocol ChatStore: Sendable {
    /// The whole directory (categories, rooms with roles, add-ins, groups, admins, policy, settings).
    func loadDirectory() async throws -> ChatDirectory

    /// The directory with the revision it was read at, from one snapshot: a later `revision()`
    /// that differs means another save happened since.
    func loadDirectoryAndRevision() async throws -> (directory: ChatDirectory, revision: Int64)

    /// Replaces the stored directory with `directory` in one transaction, writing only what changed
    /// compared with `previous` (the value loaded earlier), bumps the revision and returns it.
    /// Throws invalidArgument, writing nothing, for a directory whose keys, references or sizes are wrong.
    /// With `journal` (compliance on), the change's events are journaled in the same transaction.
    @discardableResult
    func save(_ directory: ChatDirectory, previous: ChatDirectory, journal: ComplianceActor?) async throws -> Int64

    /// Saves like `save`, but only while the stored revision is still `revision`, the one
    /// `previous` was read at (checked under the revision's lock, so it holds across nodes): a
    /// caller holding the directory in memory need not read it back first. Returns the new
    /// revision, or nil, writing nothing, when another save came first. Only what differs from
    /// `previous` is validated: the rest was valid when saved.
    func save(_ directory: ChatDirectory, previous: ChatDirectory, ifRevision revision: Int64,
              journal: ComplianceActor?) async throws -> Int64?

    /// A number that grows with every save (by any process): the server polls it to pick up CLI changes.
    func revision() async throws -> Int64

    /// Announces that an administrator changed a room's content (messages cleared, removed or
    /// replaced) although the directory did not change: running servers reload its history.
    @discardableResult
    func bumpRevision(contentOf room: String) async throws -> Int64

    /// The directory, its revision, and the rooms whose content changed after revision `since`.
    func loadChanges(since: Int64) async throws -> (directory: ChatDirectory, revision: Int64, contentChanged: Set<String>)

    /// Records a pending XEP-0249 invitation of `user` to `room`, kept until the user joins it;
    /// idempotent. Throws roomNotFound unless the room is in the stored directory.
    func addInvitation(user: String, room: String) async throws

    /// The rooms (localparts) `user` is invited to and has not joined since, sorted by their bytes.
    func pendingInvitations(user: String) async throws -> [String]

    /// Whether `user` has joined `room` at least once (since the room was created).
    func hasJoined(user: String, room: String) async throws -> Bool

    /// The rooms (localparts) `user` has joined at least once.
    func joinedRooms(user: String) async throws -> Set<String>

    /// Remembers that `user` joined `room`, and clears the pending invitation to it; returns
    /// whether there was one (the join accepted an invitation).
    /// Throws roomNotFound unless the room is in the stored directory.
    @discardableResult
    func recordJoin(user: String, room: String) async throws -> Bool

    /// The room's vCard (XEP-0054 on the room JID, XEP-0486 room avatars): the serialised
    /// `<vCard/>` a manager set with its photo's SHA-1, or nil if none was set.
    func roomVCard(room: String) async throws -> VCardStore.Entry?

    /// Replaces the room's vCard; nil removes it. It goes with its room. Throws roomNotFound
    /// unless the room is in the stored directory. Size limits are the caller's.
    func setRoomVCard(room: String, _ entry: VCardStore.Entry?) async throws
}

extension ChatStore {
    /// `save(_:previous:journal:)` without journaling.
    @discardableResult
    public func save(_ directory: ChatDirectory, previous: ChatDirectory) async throws -> Int64 {
        try await save(directory, previous: previous, journal: nil)
    }

    /// `save(_:previous:ifRevision:journal:)` without journaling.
    public func save(_ directory: ChatDirectory, previous: ChatDirectory, ifRevision revision: Int64) async throws -> Int64? {
        try await save(directory, previous: previous, ifRevision: revision, journal: nil)
    }
}

/// The checks both backends make before a chat store method writes, so both refuse the same
/// input with the same StoreError kind.
enum ChatStoreArguments {
    /// A user's bare JID and a room localpart, bounded and storable.
    static func check(user: String, _ role: String, room: String) throws {
        try InputLimits.checkBareJID(user, role)
        try PostgresText.check(user, role)
        try InputLimits.checkRoomLocalpart(room)
    }

    /// A room vCard holds no NUL (no XML can).
    static func check(_ entry: VCardStore.Entry?) throws {
        guard let entry else { return }
        try PostgresText.check(entry.xml, "room vCard")
        if let hash = entry.photoHash { try PostgresText.check(hash, "room vCard photo hash") }
    }
}
