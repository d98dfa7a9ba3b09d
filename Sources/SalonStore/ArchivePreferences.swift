/// An account's archiving preferences (XEP-0441, the `<prefs/>` of `urn:xmpp:mam:2`): which
/// correspondents' messages its archive keeps. Applied when a message is archived
/// (`PersonalArchiveInsert`); changing them never touches what is already archived.
public struct ArchivePreferences: Sendable, Hashable {
    /// The most JIDs `always` and `never` hold together.
    public static let maxJIDs = 1000

    /// What happens to a correspondent in neither list.
    public enum Default: String, Sendable, CaseIterable {
        /// Every message is archived (Salon's default: clients sync from the archive).
        case always
        /// Nothing is archived.
        case never
        /// Only messages with contacts whose bare JID is in the account's roster.
        case roster
    }

    public var `default`: Default
    /// JIDs always archived; a bare JID covers every resource.
    public var always: [String]
    /// JIDs never archived; wins over `always` and the default.
    public var never: [String]

    /// Preferences an account has until it sets some: archive everything.
    public static let initial = ArchivePreferences(default: .always, always: [], never: [])

    public init(default: Default, always: [String], never: [String]) {
        self.default = `default`
        self.always = always
        self.never = never
    }

    /// Whether a message with `correspondent` (as addressed: `to` outgoing, `from` incoming) is
    /// archived. XEP-0441 §2.3: a listed full JID matches only itself, a listed bare JID any
    /// resource; the roster is asked about the bare JID (`inRoster`, called only when needed).
    public func archives(_ correspondent: String, inRoster: () throws -> Bool) rethrows -> Bool {
        let bare = correspondent.firstIndex(of: "/").map { String(correspondent[..<$0]) } ?? correspondent
        func listed(_ list: [String]) -> Bool {
            list.contains { $0.contains("/") ? $0 == correspondent : $0 == bare }
        }
        if listed(never) { return false }
        if listed(always) { return true }
        switch self.default {
        case .always: return true
        case .never: return false
        case .roster: return try inRoster()
        }
    }
}

extension ArchivePreferences {
    /// The preferences as both backends store them for `owner`: a JID in both lists is kept in
    /// `never` only, repeats once. Throws limitReached past `maxJIDs`, invalidArgument for a
    /// malformed owner or JID.
    func storable(owner: String) throws -> ArchivePreferences {
        try InputLimits.checkAccountJID(owner)
        var never: [String] = []
        var always: [String] = []
        var seen = Set<String>()
        for jid in self.never where seen.insert(jid).inserted { never.append(jid) }
        for jid in self.always where seen.insert(jid).inserted { always.append(jid) }
        guard seen.count <= Self.maxJIDs else {
            throw StoreError(.limitReached, "at most \(Self.maxJIDs) JIDs in the archiving preferences")
        }
        for jid in seen {
            try InputLimits.checkText(jid, "JID", maxBytes: InputLimits.maxMessageTokenBytes * 3)
            try PostgresText.check(jid, "JID")
        }
        return ArchivePreferences(default: self.default, always: always, never: never)
    }
}
