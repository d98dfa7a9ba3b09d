import Foundation
import PersistentChat
import SalonStore
import XMPPCore

/// What a room journals when compliance is on (design §6): joins with the history they read,
/// departures, archive queries. Posts are journaled in their archive commit (`post`).
extension MUCRoom {
    /// JOIN, and BACKCHAT when the joiner is sent history: the messages the request selects.
    func joinEvents(_ stanza: Stanza, nick: String, from: JID, role: String, context: RoomContext) -> [ComplianceEvent] {
        let time = ComplianceRecorder.now()
        let user = from.bare.description
        var events = [ComplianceEvent.join(time: time, user: user, session: from.description, room: localpart, nick: nick, role: role)]
        guard ChatDirectory.keepsHistory(in: context.category) else { return events }
        let request = stanza.element.child("x", namespace: MUC.ns)?.child("history", namespace: MUC.ns)
        let count = history.select(request).count
        guard count > 0 else { return events }
        let asked = CompliancePayload(["maxchars", "maxstanzas", "seconds", "since"].map { ($0, .optional(request?[attribute: $0])) })
        events.append(.backchat(time: time, user: user, session: from.description, room: localpart, source: "join-history",
                                rooms: [localpart], query: asked, results: count))
        return events
    }

    /// PART for each session of an occupant the room took out (kick, ban, lost access, error,
    /// destruction): queued before the room's presence goes out, not waited for.
    func recordRemoval(of user: String, sessions: [JID], nick: String, cause: String) {
        let compliance = environment.compliance
        guard compliance.isEnabled else { return }
        let time = ComplianceRecorder.now()
        compliance.recordInBackground(sessions.map {
            .part(time: time, user: user, session: $0.description, room: localpart, nick: nick, cause: cause)
        })
    }
}

extension MUCRoom {
    /// ROLE_CHANGED for a Normal room's mutes and voices given back (they last while the occupant
    /// stays, so no directory change records them).
    func voiceEvents(_ changed: [Occupant], by actor: String) -> [ComplianceEvent] {
        let time = ComplianceRecorder.now()
        return changed.map { occupant in
            .administrative(.roleChanged, time: time, actor: actor, room: localpart,
                            what: occupant.muted ? "occupant muted" : "voice given back", target: occupant.user,
                            before: occupant.muted ? "participant" : "visitor", after: occupant.muted ? "visitor" : "participant")
        }
    }
}

extension ArchiveQuery {
    /// What a history query asked, for its BACKCHAT event: filters, search terms, paging.
    var compliancePayload: CompliancePayload {
        CompliancePayload([
            ("authors", authors.isEmpty ? nil : .list(authors)),
            ("start", .optional(start.map(Timestamp.format))),
            ("end", .optional(end.map(Timestamp.format))),
            ("after_id", .optional(afterID)),
            ("before_id", .optional(beforeID)),
            ("ids", ids.map { .list($0) }),
            ("terms", .optional(text?.text)),
            ("match", .optional(text?.match.rawValue)),
            ("case_sensitive", text.map { .flag($0.caseSensitive) }),
            ("max", .number(Int64(max))),
            ("after", .optional(after)),
            ("before", .optional(before)),
        ])
    }
}

extension ComplianceRecorder {
    /// Journals a history query (MAM on a room, search across rooms) before it is answered;
    /// a failure refuses the answer (the caller bounces).
    func recordBackchat(_ query: ArchiveQuery, source: String, room: String, user: String, session: String, results: Int) async throws {
        guard isEnabled else { return }
        try await record([.backchat(time: Self.now(), user: user, session: session, room: room, source: source,
                                    rooms: query.rooms, query: query.compliancePayload, results: results)])
    }
}
