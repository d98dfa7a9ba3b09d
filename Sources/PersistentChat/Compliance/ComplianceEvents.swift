/// What each recorded action carries (design §6). The front ends call these, so the same
/// action is recorded alike whichever way it came.
extension ComplianceEvent {
    /// A session entered a room, with the nickname and the role it got.
    public static func join(time: Int64, user: String, session: String, room: String, nick: String, role: String) -> Self {
        Self(.join, time: time, actorBare: user, actorFull: session, room: room,
             payload: CompliancePayload([("nick", .text(nick)), ("role", .text(role))]).json)
    }

    /// A session left a room; `cause` says why when it did not leave by itself (kicked, banned,
    /// lost access, error, shutdown, room destroyed).
    public static func part(time: Int64, user: String, session: String, room: String, nick: String, cause: String?) -> Self {
        Self(.part, time: time, actorBare: user, actorFull: session, room: room,
             payload: CompliancePayload([("nick", .text(nick)), ("cause", .optional(cause))]).json)
    }

    /// A post, as the stanza every occupant received.
    public static func chat(time: Int64, user: String, session: String, room: String, stanza: String) -> Self {
        Self(.chat, time: time, actorBare: user, actorFull: session, room: room, payload: stanza)
    }

    /// History read: on joining (`source` "join-history"), from one room's archive ("mam") or
    /// a search across rooms ("search"), with what was asked and which rooms it covered.
    public static func backchat(time: Int64, user: String, session: String, room: String, source: String,
                                rooms: [String], query: CompliancePayload, results: Int?) -> Self {
        Self(.backchat, time: time, actorBare: user, actorFull: session, room: room,
             payload: CompliancePayload([("source", .text(source)), ("rooms", .list(rooms)), ("query", .object(query)),
                                         ("results", results.map { .number(Int64($0)) })]).json)
    }

    /// A file uploaded into a room (when the post carrying it is made) or its bytes downloaded.
    public static func file(_ type: ComplianceEventType, time: Int64, user: String, session: String = "", room: String,
                            file: String, name: String, size: Int64, contentType: String, range: String? = nil) -> Self {
        Self(type, time: time, actorBare: user, actorFull: session, room: room,
             payload: CompliancePayload([("file", .text(file)), ("name", .text(name)), ("size", .number(size)),
                                         ("content_type", .text(contentType)), ("range", .optional(range))]).json)
    }

    /// An administrative change: what changed, with the state before and after where there is one
    /// (a removed or replaced message's old text is `before`).
    public static func administrative(_ type: ComplianceEventType, time: Int64, actor: String, session: String = "", room: String = "",
                                      what: String, target: String? = nil, before: String? = nil, after: String? = nil) -> Self {
        Self(type, time: time, actorBare: actor, actorFull: session, room: room,
             payload: CompliancePayload([("what", .text(what)), ("target", .optional(target)), ("before", .optional(before)),
                                         ("after", .optional(after))]).json)
    }
}
