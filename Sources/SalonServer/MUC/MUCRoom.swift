import Foundation
import NIOCore
import PersistentChat
import SalonStore
import XMPPCore

/// One active room: its occupants, its recent history, and the stanzas addressed to it. Pinned
/// to one event loop; its state is touched only there. Stanzas are handled one at a time, in
/// order: while one awaits storage the next wait in a backlog.
final class MUCRoom: @unchecked Sendable {
    let localpart: String
    let jid: JID
    /// The service holding the room: the directory, and where the room goes when idle.
    unowned let host: any RoomHost
    /// What the room uses beyond its own state (RoomEnvironment.swift); it reaches nothing else.
    let environment: RoomEnvironment
    let loop: EventLoop

    var occupants: [String: Occupant] = [:] {
        didSet {
            resolvedAudience = nil
            if environment.cluster != nil { recordOccupantsSoon() }
        }
    }
    /// Every occupant's sessions, resolved for the fan-out; dropped whenever occupants change.
    private var resolvedAudience: Fanout.Audience?
    /// Real full JID → nick.
    var nicks: [JID: String] = [:]
    var history: RoomHistory
    /// A room being created by join: it exists only here until its owner configures it. It
    /// holds one of the creator's `lockedRooms` until then.
    var creator: String? {
        didSet {
            if let oldValue, oldValue != creator { environment.lockedRooms.release(for: oldValue) }
        }
    }
    /// What each user may still broadcast here, by bare JID (see MUCRoom+PresenceLimits).
    var presenceBudgets: [String: PresenceBudget] = [:]
    /// Queries relayed between occupants and awaiting their answer, by the id the room gave them
    /// (see MUCRoom+OccupantIQ).
    var relayedIQs: [String: RelayedIQ] = [:]
    /// The SHA-1 of the room vCard's photo (XEP-0486), nil without one; loaded with the history.
    var avatarHash: String?

    /// The room's lease on a clustered node: taken before the room serves, carried by each post.
    var lease: RoomLease?
    /// On a clustered node: the record of its occupants in the database, and those a dead
    /// owner's node left behind (MUCRoom+Occupancy).
    var occupancy = ClusteredOccupancy()

    /// Storage operations in flight; stanzas wait while any is.
    private var inFlight = 0
    private var busy: Bool { inFlight > 0 }
    private var loaded = false
    private var backlog = CircularBuffer<(Stanza, JID, JID)>()
    private var draining = false
    static let maxBacklog = 10_000
    /// Messages posted but not yet broadcast, oldest first: each waits for its archive commit
    /// and for every message before it, so occupants see the room's order.
    var unconfirmedPosts = CircularBuffer<UnconfirmedPost>()
    /// The next post's ordinal (`UnconfirmedPost.ordinal`).
    var nextPostOrdinal: UInt64 = 0
    /// Where the archive writer reports this room's commits, a group commit at a time.
    private(set) lazy var confirmations = PostConfirmations(loop: loop) { [weak self] results in
        self?.applyConfirmations(results)
    }

    init(localpart: String, jid: JID, host: any RoomHost, environment: RoomEnvironment, loop: EventLoop, historyCapacity: Int) {
        self.localpart = localpart
        self.jid = jid
        self.host = host
        self.environment = environment
        self.loop = loop
        self.history = RoomHistory(capacity: historyCapacity)
    }

    // MARK: Processing

    func receive(_ stanza: Stanza, to: JID, from: JID) {
        loop.assertInEventLoop()
        guard !busy, loaded, backlog.isEmpty, !occupancy.awaitsRejoins, !waitsForPosts(stanza, to: to) else {
            if !loaded, !busy { warmUp() }
            guard backlog.count < Self.maxBacklog else {
                return bounce(stanza, StanzaError(.resourceConstraint, type: .wait, text: "The room is busy."))
            }
            backlog.append((stanza, to, from))
            if occupancy.awaitsRejoins { drainBacklog() }
            return
        }
        dispatch(stanza, to: to, from: from)
    }

    /// Loads recent history from the archive before the first stanza is handled; on a clustered
    /// node, takes the room's lease first.
    private func warmUp() {
        reloadAvatar()
        guard let cluster = environment.cluster, lease == nil else {
            return reloadHistory { [self] in loaded = true }
        }
        let room = localpart
        awaiting({ try await cluster.leases.acquire(room: room) }) { [self] result in
            switch result {
            case .success(let lease):
                self.lease = lease
                takeOverOccupancy()
                reloadHistory { [self] in loaded = true }
            case .failure(let error):
                // Stays unloaded: the next stanza tries again.
                environment.logger.warning("room not served: its cluster lease was not granted", metadata: [
                    "room": "\(localpart)", "error": "\(error)"])
                let waiting = backlog
                backlog.removeAll()
                for (stanza, _, _) in waiting {
                    bounce(stanza, StanzaError(.serviceUnavailable, type: .wait, text: "The room is moving between cluster nodes; try again shortly."))
                }
            }
        }
    }

    /// The room's lease was taken over (its archive refused a post): it serves nothing more
    /// until it holds the lease again.
    func lostLease() {
        guard lease != nil else { return }
        environment.logger.warning("room lost its cluster lease", metadata: ["room": "\(localpart)"])
        lease = nil
        loaded = false
    }

    /// Runs `work` off the loop while the room holds further stanzas; `then` runs on the loop.
    func awaiting<T: Sendable>(_ work: @escaping @Sendable () async throws -> T, then: @escaping (Result<T, any Error>) -> Void) {
        inFlight += 1
        let promise = loop.makePromise(of: T.self)
        promise.completeWithTask(work)
        promise.futureResult.assumeIsolated().whenComplete { [self] result in
            then(result)
            inFlight -= 1
            drainBacklog()
        }
    }

    /// Dispatches waiting stanzas in order while nothing holds them. Not re-entered: a
    /// stanza dispatched here may release posts, which drains again.
    func drainBacklog() {
        guard !draining else { return }
        draining = true
        admitRejoins()
        while !busy, !occupancy.awaitsRejoins, let (stanza, to, from) = backlog.first, !waitsForPosts(stanza, to: to) {
            backlog.removeFirst()
            dispatch(stanza, to: to, from: from)
        }
        draining = false
        deactivateIfIdle()
    }

    /// While a room just taken over waits for occupants of live nodes to join it again, their
    /// presences pass whatever waits for them (ClusteredOccupancy).
    private func admitRejoins() {
        while !busy, occupancy.awaitsRejoins,
              let index = backlog.firstIndex(where: { occupancy.isAwaitedRejoin($0.0, from: $0.2) }) {
            let (stanza, to, from) = backlog.remove(at: index)
            occupancy.rejoining = occupancy.awaitedRejoins.removeValue(forKey: from).map { (from, $0) }
            dispatch(stanza, to: to, from: from)
            occupancy.rejoining = nil
        }
    }

    /// Whether `stanza` must wait for the posts not yet broadcast: everything but another
    /// plain groupchat post (those queue in order by themselves), so that whatever the room
    /// sends because of it — a private message, a presence, an answer — follows them.
    private func waitsForPosts(_ stanza: Stanza, to: JID) -> Bool {
        guard !unconfirmedPosts.isEmpty else { return false }
        let isPost = stanza.kind == .message && to.resourcepart == nil && stanza.type == "groupchat"
            && stanza.element.child("subject", namespace: NS.client) == nil
        return !isPost
    }

    /// An empty room with nothing in flight lets go of its memory.
    func deactivateIfIdle() {
        if !busy, occupants.isEmpty, creator == nil, backlog.isEmpty, unconfirmedPosts.isEmpty {
            host.deactivate(self)
        }
    }

    private func dispatch(_ stanza: Stanza, to: JID, from: JID) {
        guard environment.compliance.isEnabled else { return handle(stanza, to: to, from: from) }
        // Directory changes the stanza leads to (configuration, lists, voice, subject) are
        // journaled as its sender: the tasks the room starts for them inherit this.
        ComplianceRecorder.$changeActor.withValue((from.bare.description, from.description)) { handle(stanza, to: to, from: from) }
    }

    private func handle(_ stanza: Stanza, to: JID, from: JID) {
        switch stanza.kind {
        case .presence:
            // Presence to the bare room JID counts for the sender's own occupant (some clients
            // leave that way); from anyone else it is not a join (XEP-0045 §7.2.1 needs a nick).
            guard let nick = to.resourcepart ?? nicks[from] else {
                if stanza.type == nil { bounce(stanza, StanzaError(.jidMalformed, text: "Join with room@service/nickname.")) }
                return
            }
            presence(stanza, nick: nick, from: from)
        case .message:
            if let nick = to.resourcepart { privateMessage(stanza, to: nick, from: from) } else { message(stanza, from: from) }
        case .iq:
            if let nick = to.resourcepart { occupantIQ(stanza, nick: nick, from: from) } else { iq(stanza, from: from) }
        }
        deactivateIfIdle()
    }

    // MARK: Model

    /// The room's record and the rules' view of it (nil while being created or after deletion).
    var current: (room: Room, context: RoomContext)? { view.current }

    /// What `user` may do in the room under the current directory.
    func access(_ user: String) -> RoomAccess {
        let view = self.view
        guard let (room, context) = view.current else { return .none }
        if let access = view.access[user] { return access }
        let access = context.directory.access(of: user, to: room)
        // Bounded by the users who talk to the room between two directory changes.
        if view.access.count < Self.maxCachedAccess { view.access[user] = access }
        return access
    }

    /// The directory's view of this room, derived once per adopted directory: every message
    /// needs it, and working it out (lookups, scope checks) is too dear to repeat for each.
    private var view: DirectoryView {
        if let cachedView, cachedView.generation == host.directoryGeneration { return cachedView }
        let (directory, generation) = host.directoryWithGeneration
        let current = directory.rooms[localpart].map { room in
            (room, RoomContext(room: room, category: directory.category(named: room.category), directory: directory, jid: jid))
        }
        let archives = current.map { _, context in roomFeatures.allSatisfy { $0.archivesPosts(context) } } ?? false
        let view = DirectoryView(generation: generation, current: current, archivesPosts: archives)
        cachedView = view
        return view
    }
    private var cachedView: DirectoryView?
    private static let maxCachedAccess = 10_000

    // MARK: Sending

    /// Sends `element`, addressed to `recipient` from `sender` on the wire, routed by those JIDs.
    func send(_ element: XMLElement, to recipient: JID, from sender: JID) {
        environment.output.send(element, to: recipient, from: sender)
    }

    func bounce(_ stanza: Stanza, _ error: StanzaError) {
        environment.output.bounce(stanza, error)
    }

    func answer(_ stanza: Stanza, _ payload: XMLElement?) {
        environment.output.answer(stanza, payload)
    }

    /// Every occupant's sessions, resolved once per change of occupants (or of their sessions).
    var audience: Fanout.Audience {
        if let resolvedAudience, environment.output.fanout.isCurrent(resolvedAudience) { return resolvedAudience }
        let audience = environment.output.fanout.audience(occupants.values.flatMap(\.sessions))
        resolvedAudience = audience
        return audience
    }

    /// Sends `make(recipient)` from `sender` (the room, else an occupant) to every session of
    /// every occupant.
    func broadcast(from sender: JID, _ make: (JID) -> XMLElement) {
        for occupant in occupants.values {
            for session in occupant.sessions { send(make(session), to: session, from: sender) }
        }
    }

    /// Whether occupants see each other's presence changes now: while every feature agrees
    /// (a room being created has only its creator, who always sees its own).
    var participantUpdatesOn: Bool {
        guard let context = current?.context else { return true }
        let count = occupants.count
        return roomFeatures.allSatisfy { $0.broadcastsPresence(context, occupantCount: count) }
    }

    /// Whether posts are archived, as the features say under the current directory.
    var archivesPosts: Bool { view.archivesPosts }

    func occupantJID(_ nick: String) -> JID {
        (try? jid.with(resource: nick)) ?? jid
    }

    // MARK: Directory changes

    /// Re-checks every occupant after a directory change: a deleted room is destroyed, a
    /// disabled one emptied, and whoever lost access removed; changed roles are announced.
    func directoryChanged(contentChanged: Bool = false) {
        let capacity = host.directory.settings.defaultChatHistory
        let grew = capacity > history.capacity
        history.setCapacity(capacity)
        guard creator == nil else { return }
        // Content cleared or replaced by an administrator (here or from the CLI), or a longer
        // history to keep: it comes back fresh from the archive.
        if contentChanged || grew, loaded { reloadHistory() }
        if contentChanged, loaded { reloadAvatar() }
        guard let (room, _) = current else {
            avatarHash = nil
            removeEveryone(reason: "The room was deleted.", destroy: true)
            return
        }
        if room.disabled {
            removeEveryone(reason: "The room was disabled.", destroy: false)
            return
        }
        let directory = host.directory
        for (nick, occupant) in occupants {
            let access = directory.access(of: occupant.user, to: room)
            switch directory.departure(of: occupant.user, from: room, access: access) {
            case .banned:
                occupants[nick]?.affiliation = .outcast
                remove(nick, statuses: [.banned], reason: Departure.banned.reason)
                continue
            case .lostAccess:
                remove(nick, statuses: [.affiliationChanged], reason: Departure.lostAccess.reason)
                continue
            case nil:
                break
            }
            let role = RoomStanding.role(access, room: room, silenced: occupant.muted)
            let affiliation = RoomStanding.affiliation(access, user: occupant.user, room: room, directory: directory)
            if role != occupant.role || affiliation != occupant.affiliation {
                occupants[nick]?.role = role
                occupants[nick]?.affiliation = affiliation
                if let updated = occupants[nick] { announce(updated) }
            }
        }
    }

    /// Announces an occupant's presence to everyone (itself with status 110).
    func announce(_ occupant: Occupant) {
        let from = jid
        let sender = occupantJID(occupant.nick)
        let updates = participantUpdatesOn
        for other in occupants.values where other.nick == occupant.nick || updates {
            for session in other.sessions {
                send(occupant.broadcastPresence(from: from, to: session, statuses: other.nick == occupant.nick ? [.selfPresence] : []),
                     to: session, from: sender)
            }
        }
    }

    /// Takes an occupant out with an unavailable presence carrying `statuses` and a reason.
    func remove(_ nick: String, statuses: [MUCStatus], reason: String?) {
        let updates = participantUpdatesOn
        guard let occupant = occupants.removeValue(forKey: nick) else { return }
        for session in occupant.sessions { nicks[session] = nil }
        recordRemoval(of: occupant.user, sessions: Array(occupant.sessions), nick: nick, cause: statuses.map { "\($0)" }.joined(separator: ","))
        let extra = reason.map { [XMLElement.text("reason", namespace: MUC.user, $0)] } ?? []
        let sender = occupantJID(nick)
        for session in occupant.sessions {
            send(occupant.broadcastPresence(from: jid, to: session, statuses: statuses + [.selfPresence], unavailable: true, extra: extra),
                 to: session, from: sender)
        }
        guard updates else { return }
        broadcast(from: sender) { occupant.broadcastPresence(from: jid, to: $0, statuses: statuses, unavailable: true, extra: extra) }
    }

    private func removeEveryone(reason: String, destroy: Bool) {
        let from = jid
        for occupant in occupants.values {
            recordRemoval(of: occupant.user, sessions: Array(occupant.sessions), nick: occupant.nick, cause: destroy ? "room destroyed" : reason)
            let sender = occupantJID(occupant.nick)
            for session in occupant.sessions {
                var extra = [XMLElement.text("reason", namespace: MUC.user, reason)]
                if destroy {
                    extra = [XMLElement("destroy", namespace: MUC.user, children: [.element(.text("reason", namespace: MUC.user, reason))])]
                }
                var presence = occupant.broadcastPresence(from: from, to: session, statuses: destroy ? [.selfPresence] : [.kicked, .selfPresence],
                                                          unavailable: true, extra: destroy ? [] : extra)
                if destroy, var x = presence.child("x", namespace: MUC.user) {
                    presence.removeChildren("x", namespace: MUC.user)
                    x.append(extra[0])
                    presence.append(x)
                }
                send(presence, to: session, from: sender)
            }
        }
        occupants.removeAll()
        nicks.removeAll()
    }
}

/// A room's record and rules under one adopted directory, with the access worked out so far
/// (a class: the room fills `access` in place, on its loop).
private final class DirectoryView {
    let generation: UInt64
    let current: (room: Room, context: RoomContext)?
    /// Every feature's `archivesPosts`, asked once per directory rather than per post.
    let archivesPosts: Bool
    var access: [String: RoomAccess] = [:]

    init(generation: UInt64, current: (room: Room, context: RoomContext)?, archivesPosts: Bool) {
        self.generation = generation
        self.current = current
        self.archivesPosts = archivesPosts
    }
}
