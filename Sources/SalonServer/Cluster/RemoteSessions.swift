import Synchronization
import XMPPCore

/// One session of another node, as that node last announced it.
struct RemoteResource: Sendable {
    let jid: JID
    let node: String
    /// Its node's name for it in fan-outs.
    let serial: UInt64
    /// Its last available presence; nil while unavailable.
    let presence: XMLElement?
    /// The presence's priority (RFC 6121 §4.7.2.3), clamped as for local sessions.
    let priority: Int
    /// It enabled message carbons (XEP-0280).
    let carbons: Bool
}

/// The sessions of the other nodes of a cluster: every node announces its own (`SessionState`
/// frames, a snapshot whenever a link comes up) so that any node can route to an account's
/// resources wherever they are. Bounded by the sessions the cluster serves: a session leaves
/// when its node says it ended or the node departs.
final class RemoteSessions: Sendable {
    private struct Entry {
        var node: String
        var serial: UInt64
        var sequence: UInt64
        var presence: XMLElement?
        var carbons: Bool
    }

    private struct State {
        var sessions: [JID: Entry] = [:]
        /// Each account's remote resources, by bare JID.
        var resources: [JID: Set<JID>] = [:]
    }

    private let state = Mutex(State())
    /// Grows whenever a known session changes node or serial (it was resumed, here or
    /// elsewhere): a room's fan-out audience resolved before then is stale.
    private let relocationCount = Atomic<UInt64>(0)

    var relocations: UInt64 { relocationCount.load(ordering: .acquiring) }

    /// Takes a node's announcement, unless a newer one for the session came first.
    func update(_ announced: SessionState, node: String) {
        let relocated = state.withLock { state -> Bool in
            let known = state.sessions[announced.jid]
            if let known, known.node == node, known.sequence >= announced.sequence { return false }
            state.sessions[announced.jid] = Entry(node: node, serial: announced.serial, sequence: announced.sequence,
                                                  presence: announced.presence, carbons: announced.carbons)
            state.resources[announced.jid.bare, default: []].insert(announced.jid)
            return known.map { $0.node != node || $0.serial != announced.serial } ?? false
        }
        if relocated { relocationCount.add(1, ordering: .releasing) }
    }

    /// A session of `node` was resumed on this one: it is no longer remote.
    func movedHere(_ jid: JID, from node: String) {
        remove(jid, node: node)
        relocationCount.add(1, ordering: .releasing)
    }

    /// Forgets a session that `node` said ended (not one announced since, by another node or
    /// with another serial); without `serial`, whichever session of `node` it is.
    func remove(_ jid: JID, node: String, serial: UInt64? = nil) {
        state.withLock { state in
            guard let known = state.sessions[jid], known.node == node, serial == nil || known.serial == serial else { return }
            Self.forget(jid, in: &state)
        }
    }

    /// Forgets every session of the departed `nodes`; returns them as they were last announced.
    func removeAll(on nodes: Set<String>) -> [RemoteResource] {
        state.withLock { state in
            let gone = state.sessions.filter { nodes.contains($0.value.node) }
            for jid in gone.keys { Self.forget(jid, in: &state) }
            return gone.map { Self.resource($0.key, $0.value) }
        }
    }

    /// The node a session is on.
    func node(of jid: JID) -> String? {
        state.withLock { $0.sessions[jid]?.node }
    }

    /// The node each session is on and its name there (nil for sessions not known), under one lock.
    func locate(_ jids: [JID]) -> [(node: String, serial: UInt64)?] {
        state.withLock { state in jids.map { jid in state.sessions[jid].map { ($0.node, $0.serial) } } }
    }

    /// The account's resources on other nodes.
    func resources(of account: JID) -> [RemoteResource] {
        state.withLock { state in
            (state.resources[account.bare] ?? []).compactMap { jid in state.sessions[jid].map { Self.resource(jid, $0) } }
        }
    }

    /// The account's resources on other nodes that are available.
    func available(of account: JID) -> [RemoteResource] {
        resources(of: account).filter { $0.presence != nil }
    }

    var count: Int { state.withLock { $0.sessions.count } }

    /// Every session of the other nodes.
    var all: [RemoteResource] {
        state.withLock { state in state.sessions.map { Self.resource($0.key, $0.value) } }
    }

    private static func resource(_ jid: JID, _ entry: Entry) -> RemoteResource {
        RemoteResource(jid: jid, node: entry.node, serial: entry.serial, presence: entry.presence,
                       priority: entry.presence.map(priority) ?? 0, carbons: entry.carbons)
    }

    private static func forget(_ jid: JID, in state: inout State) {
        state.sessions[jid] = nil
        state.resources[jid.bare]?.remove(jid)
        if state.resources[jid.bare]?.isEmpty == true { state.resources[jid.bare] = nil }
    }

    static func priority(of presence: XMLElement) -> Int {
        max(-128, min(127, Int(presence.child("priority", namespace: NS.client)?.text ?? "0") ?? 0))
    }
}
