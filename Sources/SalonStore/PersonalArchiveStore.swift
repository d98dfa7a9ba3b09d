/// Accounts' message archives (XEP-0313 on the user's bare JID) and their XEP-0441 preferences.
/// Appends go through the node's one `ArchiveWriter` (`append(personal:)`), so personal and
/// room messages share group commits.
public protocol PersonalArchiveStore: Sendable {
    /// One page of `query.rooms.first`'s archive (the query names one account's bare JID);
    /// throws ArchiveError for bad filters or unknown ids.
    func query(_ query: ArchiveQuery) async throws -> ArchiveResultPage<PersonalMessage>
    /// The oldest and newest messages of `owner`'s archive (MAM metadata); nils when empty.
    func bounds(owner: String) async throws -> (first: PersonalMessage?, last: PersonalMessage?)
    /// `owner`'s preferences (`ArchivePreferences.initial` until it sets some).
    func preferences(owner: String) async throws -> ArchivePreferences
    /// Replaces `owner`'s preferences and returns them as stored: a JID in both lists is kept
    /// in `never` only, repeats once. Throws limitReached past `ArchivePreferences.maxJIDs`.
    func setPreferences(owner: String, _ preferences: ArchivePreferences) async throws -> ArchivePreferences
}
