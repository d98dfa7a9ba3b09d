import NIOCore
import SalonStore
import XMPPCore

/// A clustered room's part in `RoomOccupancy`: the owner records who sits in the room, by
/// session and node, a moment after its occupants change; a new owner reads that record when it
/// takes the room. Every occupant who joins soon after hears that those whose node is gone
/// left (status 333), since nobody told it when their node died; and until the occupants of
/// live nodes have joined again (or a bounded moment passed), posts wait for them, so that
/// none is broadcast to only those whose node happened to send them back first.
struct ClusteredOccupancy {
    /// A write of the record is due.
    var scheduled = false
    /// What the last write held.
    var recorded: Set<RecordedOccupant> = []
    /// The last write, which the next one waits for.
    var writing: Task<Void, Never>?
    /// Occupants of a dead node, by nick, remembered until `departedUntil`.
    var departed: [String: RecordedOccupant] = [:]
    var departedUntil = NIODeadline.distantPast
    /// Sessions of live nodes the last owner recorded, with their nicks, not yet joined again,
    /// until `rejoinsUntil`.
    var awaitedRejoins: [JID: String] = [:]
    var rejoinsUntil = NIODeadline.distantPast
    /// The awaited session whose presence is being handled now, with its recorded nick.
    var rejoining: (session: JID, nick: String)?

    /// Whether stanzas other than the awaited sessions' presences wait.
    var awaitsRejoins: Bool {
        !awaitedRejoins.isEmpty && NIODeadline.now() < rejoinsUntil
    }

    /// Whether `stanza` from `from` is one of the awaited sessions coming back, and so passes
    /// the stanzas held for it.
    func isAwaitedRejoin(_ stanza: Stanza, from: JID) -> Bool {
        stanza.kind == .presence && awaitedRejoins[from] != nil
    }
}

extension MUCRoom {
    /// How long after a change the record is written: a burst of joins makes one write.
    static let occupancyRecordDelay = TimeAmount.milliseconds(200)
    /// How long a new owner tells joiners about a dead node's occupants: long enough for every
    /// surviving node to send its occupants back.
    static let departedMemory = TimeAmount.seconds(60)

    /// Records the occupants shortly, unless a write is already due.
    func recordOccupantsSoon() {
        guard !occupancy.scheduled else { return }
        occupancy.scheduled = true
        loop.scheduleTask(in: Self.occupancyRecordDelay) { [self] in recordOccupants() }
    }

    private func recordOccupants() {
        occupancy.scheduled = false
        guard let cluster = environment.cluster, let lease else { return }
        let output = environment.output
        var seated = Set<RecordedOccupant>()
        for occupant in occupants.values {
            for session in occupant.sessions {
                guard let node = output.node(of: session, local: cluster.node) else { continue }
                seated.insert(RecordedOccupant(nick: occupant.nick, session: session.description, node: node,
                                               affiliation: occupant.affiliation.rawValue))
            }
        }
        guard seated != occupancy.recorded else { return }
        occupancy.recorded = seated
        let (previous, logger, refusalLog, room) = (occupancy.writing, environment.logger, environment.refusalLog, localpart)
        occupancy.writing = Task { [loop] in
            await previous?.value
            do {
                try await cluster.occupancy.record(Array(seated), lease: lease)
            } catch {
                if refusalLog.shouldLog("occupancy\u{0}\(room)") {
                    logger.warning("room occupants not recorded in the cluster database", metadata: ["room": "\(room)", "error": "\(error)"])
                }
                // Written again with the next change.
                loop.execute { [self] in occupancy.recorded = [] }
            }
        }
    }

    /// The room has just become this node's: reads who its last owner recorded, remembers
    /// those whose node is gone, and records its own occupants in their place.
    func takeOverOccupancy() {
        guard let cluster = environment.cluster else { return }
        let room = localpart
        awaiting({ try await cluster.occupancy.takeover(of: room) }) { [self] result in
            switch result {
            case .success(let takeover):
                awaitRejoins(of: takeover.staying, patience: cluster.occupancy.rejoinPatience, node: cluster.node)
                let departed = takeover.departed
                guard !departed.isEmpty else { break }
                environment.logger.notice("room taken over: its occupants of departed cluster nodes are gone", metadata: [
                    "room": "\(localpart)", "occupants": "\(departed.count)",
                    "nodes": "\(Set(departed.map(\.node)).sorted().joined(separator: ","))"])
                occupancy.departed = Dictionary(departed.map { ($0.nick, $0) }) { first, _ in first }
                occupancy.departedUntil = .now() + Self.departedMemory
            case .failure(let error):
                environment.logger.warning("room taken over without its last owner's occupants: those of a dead node stay listed",
                                           metadata: ["room": "\(localpart)", "error": "\(error)"])
            }
            recordOccupantsSoon()
        }
    }

    /// Holds posts until the recorded sessions of live nodes have joined again, for `patience`
    /// at most. A session recorded on this node but no longer bound here is not waited for.
    private func awaitRejoins(of staying: [RecordedOccupant], patience: Duration, node: String) {
        let output = environment.output
        occupancy.awaitedRejoins = Dictionary(staying.compactMap { recorded -> (JID, String)? in
            guard let session = try? JID(recorded.session), nicks[session] == nil else { return nil }
            return recorded.node != node || output.node(of: session, local: node) == node ? (session, recorded.nick) : nil
        }) { first, _ in first }
        guard !occupancy.awaitedRejoins.isEmpty else { return }
        occupancy.rejoinsUntil = .now() + patience.timeAmount
        loop.scheduleTask(deadline: occupancy.rejoinsUntil) { [self] in
            guard !occupancy.awaitedRejoins.isEmpty else { return }
            environment.logger.notice("room taken over: posts go on without occupants of live nodes that did not join it again", metadata: [
                "room": "\(localpart)", "missing": "\(occupancy.awaitedRejoins.count)"])
            occupancy.awaitedRejoins = [:]
            drainBacklog()
        }
    }

    /// Tells `joiner` that each occupant a dead node left behind is gone (status 333), as it
    /// would have heard had their node said so.
    func sayDepartedOccupantsLeft(to joiner: JID) {
        guard !occupancy.departed.isEmpty else { return }
        guard NIODeadline.now() < occupancy.departedUntil else {
            occupancy.departed = [:]
            return
        }
        for (nick, departed) in occupancy.departed where occupants[nick] == nil {
            guard let session = try? JID(departed.session) else { continue }
            let user = session.bare.description
            let gone = Occupant(nick: nick, user: user, sessions: [session], role: .none,
                                affiliation: MUCAffiliation(rawValue: departed.affiliation) ?? .none,
                                occupantID: environment.occupantIDs.id(user: user, room: localpart),
                                presence: XMLElement("presence", namespace: NS.client))
            send(gone.broadcastPresence(from: jid, to: joiner, statuses: [.removedByError], unavailable: true),
                 to: joiner, from: occupantJID(nick))
        }
    }
}
