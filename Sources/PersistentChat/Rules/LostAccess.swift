/// Who lost a room between two directories: what followed rooms (bookmarks) are pruned by.
extension ChatDirectory {
    /// The rooms whose access may have narrowed since `previous`: rooms removed or changed, or
    /// every room of `previous` when what access also depends on (categories, groups, the
    /// persistent-chat policy) changed.
    public func roomsWithNarrowableAccess(since previous: ChatDirectory) -> Set<String> {
        if categories != previous.categories || groups != previous.groups || policy != previous.policy {
            return Set(previous.rooms.keys)
        }
        return Set(previous.rooms.compactMap { localpart, room in rooms[localpart] == room ? nil : localpart })
    }

    /// Whether `user` could join the room in `previous` and cannot now (room deleted, disabled,
    /// scope shrunk, membership removed, banned, persistent chat turned off for the user).
    public func hasLostAccess(_ user: String, to localpart: String, since previous: ChatDirectory) -> Bool {
        guard let before = previous.rooms[localpart], previous.access(of: user, to: before).canJoin else { return false }
        guard let now = rooms[localpart] else { return true }
        return !access(of: user, to: now).canJoin
    }

    /// Whether a bookmark `user` holds for room `localpart`, looked at when they log in, is of a
    /// room lost while no change was seen (the server down): the room no longer exists, or
    /// they have joined it before (`joinedBefore`) and may not join it now. A room never joined
    /// and not open to them stays, as `hasLostAccess(_:to:since:)` keeps one.
    public func hasLostAccess(_ user: String, to localpart: String, joinedBefore: Bool) -> Bool {
        guard let room = rooms[localpart] else { return true }
        return joinedBefore && !access(of: user, to: room).canJoin
    }
}
