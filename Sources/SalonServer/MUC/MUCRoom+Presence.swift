import Foundation
import PersistentChat
import XMPPCore

/// Joining, leaving, nickname changes and presence updates (XEP-0045 §7.2–7.6, §7.14), and
/// creating a room by joining it (§10.1).
extension MUCRoom {
    func presence(_ stanza: Stanza, nick: String, from: JID) {
        switch stanza.type {
        case nil:
            let user = from.bare.description
            if let current = nicks[from] {
                if current == nick {
                    guard allowsPresenceChange(.update, stanza: stanza, user: user) else { return }
                    updatePresence(stanza, nick: nick, from: from)
                } else {
                    guard allowsPresenceChange(.nickChange, stanza: stanza, user: user) else { return }
                    changeNick(stanza, from: current, to: nick, session: from)
                }
            } else {
                guard allowsPresenceChange(.join, stanza: stanza, user: user) else { return }
                join(stanza, nick: nick, from: from)
            }
        case "unavailable":
            leave(stanza, from: from)
        case "error":
            // The occupant's client (or its server) failed: that session is gone (XEP-0045 333).
            dropAfterError(from: from)
        default:
            break
        }
    }

    // MARK: Join

    private func join(_ stanza: Stanza, nick: String, from: JID) {
        let user = from.bare.description
        let nick = nick.trimmingCharacters(in: .whitespaces)
        guard !nick.isEmpty, nick.utf8.count <= 256 else {
            return bounce(stanza, StanzaError(.jidMalformed, text: "A nickname is 1 to 256 bytes."))
        }
        if let creator {
            guard creator == user else { return bounce(stanza, StanzaError(.itemNotFound, text: "The room is being created.")) }
        }
        guard let (room, context) = current else {
            if creator == nil { return createByJoining(stanza, nick: nick, from: from) }
            return admit(stanza, nick: nick, from: from, user: user, role: .moderator, affiliation: .owner,
                         statuses: [.created], context: nil)
        }
        let directory = context.directory
        let access = directory.access(of: user, to: room)
        guard access.canJoin else {
            return bounce(stanza, StanzaError(refusal: directory.joinRefusal(of: user, to: room, access: access)))
        }
        if let holder = occupants[nick], holder.user != user {
            return bounce(stanza, StanzaError(.conflict, text: "That nickname is in use."))
        }
        let statuses = roomFeatures.flatMap { $0.joinStatuses(context) }
        let role = RoomStanding.role(access, room: room)
        if let rejoining = occupancy.rejoining, rejoining.session == from, rejoining.nick == nick {
            return reseat(stanza, nick: nick, from: from, user: user, role: role,
                          affiliation: RoomStanding.affiliation(access, user: user, room: room, directory: directory))
        }
        let enter = { [self] in
            admit(stanza, nick: nick, from: from, user: user, role: role,
                  affiliation: RoomStanding.affiliation(access, user: user, room: room, directory: directory),
                  statuses: statuses, context: context)
            recordJoin(user: user, nick: nick, room: room)
        }
        guard environment.compliance.isEnabled else { return enter() }
        // Journaled (with the history the joiner is about to read) before the room answers.
        awaiting({ [compliance = environment.compliance, events = joinEvents(stanza, nick: nick, from: from, role: role.rawValue, context: context)] in
            try await compliance.record(events)
        }) { [self] result in
            if case .failure(let error) = result {
                environment.logger.storageFailure("compliance event not recorded: join refused", error, metadata: ["account": "\(user)", "room": "\(localpart)"])
                return bounce(stanza, .storage(error, text: "The join could not be recorded."))
            }
            enter()
        }
    }

    private func recordJoin(user: String, nick: String, room: Room) {
        let (chat, host, localpart, roomJID, name) = (environment.chat, host, localpart, jid, room.name)
        Task {
            guard try await chat.recordJoin(user: user, room: localpart), let account = try? JID(user) else { return }
            host.invitationAccepted(by: account, room: roomJID, name: name, nick: nick)
        }
    }

    /// Seats the occupant: others' presence, its own (110), history, subject; then tells the room.
    private func admit(_ stanza: Stanza, nick: String, from: JID, user: String, role: MUCRole, affiliation: MUCAffiliation,
                       statuses: [MUCStatus], context: RoomContext?) {
        let joiningExisting = occupants[nick] != nil
        let occupant = seat(stanza, nick: nick, from: from, user: user, role: role, affiliation: affiliation)

        let updates = participantUpdatesOn
        if updates {
            for other in occupants.values where other.nick != nick {
                send(other.broadcastPresence(from: jid, to: from), to: from, from: occupantJID(other.nick))
            }
            sayDepartedOccupantsLeft(to: from)
        }
        send(occupant.broadcastPresence(from: jid, to: from, statuses: [.nonAnonymous, .selfPresence] + statuses), to: from, from: occupantJID(nick))
        if updates, !joiningExisting {
            environment.output.fanout.deliver(occupant.broadcastPresence(from: jid, to: jid),
                                   to: occupants.values.filter { $0.nick != nick }.flatMap(\.sessions))
        }
        if let context {
            if ChatDirectory.keepsHistory(in: context.category) { environment.metrics.historyCacheHits.increment() }
            let joiner = Joiner(session: from, historyRequest: stanza.element.child("x", namespace: MUC.ns)?.child("history", namespace: MUC.ns),
                                history: history)
            for feature in roomFeatures {
                // Addressed by the feature, some from their original sender: the router reads them.
                for element in feature.welcome(context, joiner: joiner) { environment.output.send(element) }
            }
        } else {
            // A room being created has no subject yet, but clients wait for it to end the join (§7.2.15).
            send(SubjectMessage.make("", author: nil, room: jid, to: from), to: from, from: jid)
        }
    }

    /// Seats again a session the room's last owner had seated, which its node sent back when the
    /// room moved here: its client and the other occupants saw it join already, and the join was
    /// journaled then, so none of that is repeated. It only hears who left with a dead node.
    private func reseat(_ stanza: Stanza, nick: String, from: JID, user: String, role: MUCRole, affiliation: MUCAffiliation) {
        seat(stanza, nick: nick, from: from, user: user, role: role, affiliation: affiliation)
        if participantUpdatesOn { sayDepartedOccupantsLeft(to: from) }
    }

    /// Adds the session `from` to the occupant `nick` (new unless another of the user's sessions
    /// holds it), with the presence it joined with.
    @discardableResult
    private func seat(_ stanza: Stanza, nick: String, from: JID, user: String, role: MUCRole, affiliation: MUCAffiliation) -> Occupant {
        var presence = stanza.element
        presence.removeChildren("x", namespace: MUC.ns)
        var occupant = occupants[nick] ?? Occupant(nick: nick, user: user, sessions: [], role: role, affiliation: affiliation,
                                                   occupantID: environment.occupantIDs.id(user: user, room: localpart), presence: presence)
        occupant.sessions.insert(from)
        occupant.presence = presence
        occupants[nick] = occupant
        nicks[from] = nick
        return occupant
    }

    // MARK: Creating a room by joining it

    /// What a new room's creator is told until they configure it (XEP-0045 §10.1.2–10.1.3).
    static let lockedText = "The room is locked until you configure it: accept the instant room (submit an empty form) or submit the configuration form."

    private func createByJoining(_ stanza: Stanza, nick: String, from: JID) {
        let user = from.bare.description
        let directory = host.directory
        guard allows(stanza, { try directory.checkMayCreateRooms(user) }) else { return }
        do throws(ChatRuleError) {
            try directory.checkRoomQuota(of: .user(user))
        } catch {
            if environment.refusalLog.shouldLog("create\u{0}\(user)") {
                environment.logger.notice("room creation refused", metadata: ["account": "\(user)", "room": "\(localpart)", "cause": "\(error.message)"])
            }
            return bounce(stanza, StanzaError(refusal: error))
        }
        guard allows(stanza, { try ChatDirectory.checkRoomLocalpart(localpart) }) else { return }
        guard environment.lockedRooms.reserve(for: user) else {
            let limit = environment.lockedRooms.limit
            if environment.refusalLog.shouldLog("locked\u{0}\(user)") {
                environment.logger.notice("room creation refused", metadata: [
                    "account": "\(user)", "room": "\(localpart)", "cause": "\(limit) rooms locked awaiting configuration",
                ])
            }
            return bounce(stanza, StanzaError(.notAllowed, text: "You have \(limit) new rooms waiting to be configured: configure or leave one first."))
        }
        creator = user
        guard environment.compliance.isEnabled else {
            return admit(stanza, nick: nick, from: from, user: user, role: .moderator, affiliation: .owner, statuses: [.created], context: nil)
        }
        let event = ComplianceEvent.join(time: ComplianceRecorder.now(), user: user, session: from.description, room: localpart, nick: nick,
                                         role: MUCRole.moderator.rawValue)
        awaiting({ [compliance = environment.compliance] in try await compliance.record([event]) }) { [self] result in
            if case .failure(let error) = result {
                creator = nil
                environment.logger.storageFailure("compliance event not recorded: join refused", error, metadata: ["account": "\(user)", "room": "\(localpart)"])
                return bounce(stanza, .storage(error, text: "The join could not be recorded."))
            }
            admit(stanza, nick: nick, from: from, user: user, role: .moderator, affiliation: .owner, statuses: [.created], context: nil)
        }
    }

    // MARK: Leaving, nick changes, presence updates

    private func leave(_ stanza: Stanza, from: JID) {
        guard let nick = nicks[from], let occupant = occupants[nick] else { return }
        guard environment.compliance.isEnabled else { return depart(stanza, from: from) }
        // Journaled before the room confirms the exit; a failure is logged, the exit goes on.
        let event = ComplianceEvent.part(time: ComplianceRecorder.now(), user: occupant.user, session: from.description, room: localpart,
                                         nick: nick, cause: nil)
        awaiting({ [compliance = environment.compliance] in try await compliance.record([event]) }) { [self] result in
            if case .failure(let error) = result {
                environment.logger.error("compliance event not recorded", metadata: ["type": "PART", "account": "\(occupant.user)", "error": "\(error)"])
            }
            depart(stanza, from: from)
        }
    }

    private func depart(_ stanza: Stanza, from: JID) {
        guard let nick = nicks[from], var occupant = occupants[nick] else { return }
        // The leaving session stays in `goodbye`, so the others still see whose JID left.
        var goodbye = occupant
        goodbye.sessions = [from]
        nicks[from] = nil
        occupant.sessions.remove(from)
        // The exit <status> text is the occupant's last word: relayed to everyone.
        let exit = stanza.element.children("status", namespace: NS.client)
        send(goodbye.broadcastPresence(from: jid, to: from, statuses: [.selfPresence], unavailable: true, exitStatus: exit),
             to: from, from: occupantJID(nick))
        if occupant.sessions.isEmpty {
            let updates = participantUpdatesOn
            occupants[nick] = nil
            if updates {
                environment.output.fanout.deliver(goodbye.broadcastPresence(from: jid, to: jid, unavailable: true, exitStatus: exit),
                                       to: occupants.values.flatMap(\.sessions))
            }
            if creator != nil, occupants.isEmpty { creator = nil }
            forgetUnusedPresenceBudgets()
        } else {
            occupants[nick] = occupant
        }
    }

    /// Drops the occupants' sessions among `lost` (their cluster node died), as after an error.
    func dropLostSessions(_ lost: Set<JID>) {
        loop.assertInEventLoop()
        for session in lost { occupancy.awaitedRejoins[session] = nil }
        for session in nicks.keys where lost.contains(session) { dropAfterError(from: session) }
    }

    /// Forgets a session whose presence bounced; when it was the occupant's last, the others
    /// learn it left with status 333. Nothing goes back to the failed session.
    private func dropAfterError(from: JID) {
        guard let nick = nicks[from], var occupant = occupants[nick] else { return }
        nicks[from] = nil
        occupant.sessions.remove(from)
        guard occupant.sessions.isEmpty else {
            occupants[nick] = occupant
            return
        }
        occupants[nick] = nil
        environment.logger.notice("occupant removed after an error presence", metadata: ["actor": "\(from)", "room": "\(localpart)"])
        recordRemoval(of: occupant.user, sessions: [from], nick: nick, cause: "error")
        var gone = occupant
        gone.sessions = [from]
        if participantUpdatesOn {
            environment.output.fanout.deliver(gone.broadcastPresence(from: jid, to: jid, statuses: [.removedByError], unavailable: true),
                                   to: occupants.values.flatMap(\.sessions))
        }
        if creator != nil, occupants.isEmpty { creator = nil }
        forgetUnusedPresenceBudgets()
    }

    private func updatePresence(_ stanza: Stanza, nick: String, from: JID) {
        guard var occupant = occupants[nick] else { return }
        var presence = stanza.element
        presence.removeChildren("x", namespace: MUC.ns)
        occupant.presence = presence
        occupants[nick] = occupant
        announce(occupant)
    }

    private func changeNick(_ stanza: Stanza, from old: String, to new: String, session: JID) {
        guard let occupant = occupants[old] else { return }
        if let holder = occupants[new], holder.user != occupant.user {
            return bounce(stanza, StanzaError(.conflict, text: "That nickname is in use."))
        }
        guard !new.isEmpty, new.utf8.count <= 256 else { return bounce(stanza, StanzaError(.jidMalformed)) }
        let updates = participantUpdatesOn
        let sender = occupantJID(old)
        for other in occupants.values where updates || other.nick == old {
            for recipient in other.sessions {
                var gone = occupant.broadcastPresence(from: jid, to: recipient,
                                                      statuses: other.nick == old ? [.nickChanged, .selfPresence] : [.nickChanged],
                                                      unavailable: true)
                if var x = gone.child("x", namespace: MUC.user), var item = x.child("item", namespace: MUC.user) {
                    item[attribute: "nick"] = new
                    x.removeChildren("item", namespace: MUC.user)
                    x.children.insert(.element(item), at: 0)
                    gone.removeChildren("x", namespace: MUC.user)
                    gone.children.insert(.element(x), at: 0)
                }
                send(gone, to: recipient, from: sender)
            }
        }
        var renamed = Occupant(nick: new, user: occupant.user, sessions: occupant.sessions, role: occupant.role,
                               affiliation: occupant.affiliation, occupantID: occupant.occupantID, muted: occupant.muted,
                               presence: occupant.presence)
        var presence = stanza.element
        presence.removeChildren("x", namespace: MUC.ns)
        renamed.presence = presence
        occupants[old] = nil
        occupants[new] = renamed
        for s in renamed.sessions { nicks[s] = new }
        announce(renamed)
    }
}
