import Synchronization

/// The sessions that fanout frames from each peer named lately, resolved: a room's owner sends
/// the same recipients with every post until its occupants change, so their serials are looked
/// up and grouped by event loop once, not per frame. An entry serves while every session in it
/// is still bound (`Fanout.isCurrent`); a few per peer, so a peer's busy rooms take turns.
final class ReceivedAudiences: Sendable {
    static let perPeer = 8

    private let entries = Mutex<[String: RecentEntries<[UInt64], Fanout.Audience>]>([:])

    /// The audience resolved for `serials` from `node`, while `isCurrent` holds for it.
    func audience(_ serials: [UInt64], from node: String, isCurrent: (Fanout.Audience) -> Bool) -> Fanout.Audience? {
        guard let audience = entries.withLock({ $0[node]?[serials] }), isCurrent(audience) else { return nil }
        return audience
    }

    /// Keeps `audience`, which names a session for each of `serials`.
    func keep(_ audience: Fanout.Audience, for serials: [UInt64], from node: String) {
        entries.withLock { entries in
            entries[node, default: RecentEntries(capacity: Self.perPeer)].insert(audience, for: serials)
        }
    }

    /// Forgets what `nodes` sent (they left or died).
    func forget(_ nodes: Set<String>) {
        entries.withLock { entries in
            for node in nodes { entries[node] = nil }
        }
    }
}
