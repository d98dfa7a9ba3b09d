import NIOCore
import XMPPCore

/// One stanza to many recipients, the way a room broadcasts: serialised once with each `to`
/// spliced in, one task per event loop for the sessions it serves, each session's deliveries
/// gathered into one write per turn of its loop. Recipients on another node of a cluster get
/// one copy per node; others without a local session (components, sessions just gone) are routed.
struct Fanout {
    let sessions: SessionRegistry
    unowned let router: Router
    /// Counts each broadcast once per event loop it reaches, not per recipient.
    var sent: StanzaCounters?

    /// Recipients resolved to their sessions and grouped by event loop; valid while every
    /// session in it stays bound (a room keeps one until its occupants change).
    struct Audience: Sendable {
        struct Target: Sendable {
            let session: ClientSession
            /// ` to='…'`, escaped once.
            let address: [UInt8]
        }

        fileprivate var groups: [(loop: EventLoop, targets: [Target])] = []
        /// Recipients on other nodes of the cluster, by node: their serials there.
        fileprivate var remote: [String: [UInt64]] = [:]
        fileprivate var routed: [JID] = []
        /// `RemoteSessions.relocations` when it was resolved.
        fileprivate var relocations: UInt64 = 0
    }

    func audience(_ recipients: [JID]) -> Audience {
        var audience = Audience()
        audience.relocations = router.cluster?.remote.relocations ?? 0
        var index: [ObjectIdentifier: Int] = [:]
        let sessions = sessions.sessions(recipients)
        // Recipients without a session here may be on another node of a cluster.
        var located = router.cluster.map { cluster in
            cluster.remote.locate(zip(recipients, sessions).compactMap { $1 == nil ? $0 : nil })
        }?.makeIterator()
        for (recipient, session) in zip(recipients, sessions) {
            guard let session else {
                if let (node, serial) = located?.next() ?? nil {
                    audience.remote[node, default: []].append(serial)
                } else {
                    audience.routed.append(recipient)
                }
                continue
            }
            audience.add(session, index: &index)
        }
        return audience
    }

    /// Whether `audience` still names every recipient's session: each one here is still bound,
    /// and none on another node has moved since.
    func isCurrent(_ audience: Audience) -> Bool {
        audience.isBound && audience.relocations == (router.cluster?.remote.relocations ?? 0)
    }

    /// These sessions of this node grouped by event loop (a fan-out another node sent here).
    func audience(of sessions: [ClientSession]) -> Audience {
        var audience = Audience()
        audience.relocations = router.cluster?.remote.relocations ?? 0
        var index: [ObjectIdentifier: Int] = [:]
        for session in sessions { audience.add(session, index: &index) }
        return audience
    }

    func deliver(_ element: XMLElement, to recipients: [JID]) {
        deliver(element, to: audience(recipients))
    }

    func deliver(_ element: XMLElement, to audience: Audience) {
        deliver(element, serialized: SplicedStanza(element, parentNamespace: NS.client), to: audience)
    }

    /// Sends `element`, already serialised as `spliced`.
    func deliver(_ element: XMLElement, serialized spliced: SplicedStanza, to audience: Audience) {
        // Other loops first: their crossing is then queued ahead of this loop's own flushes,
        // so they write in parallel with it rather than after it.
        var local: [Audience.Target]?
        for group in audience.groups {
            sent?.count(element, times: group.targets.count)
            if group.loop.inEventLoop {
                local = group.targets
            } else {
                let targets = group.targets
                LoopCrossings.run(on: group.loop) { write(element, spliced, to: targets) }
            }
        }
        if let local { write(element, spliced, to: local) }
        if let cluster = router.cluster {
            for (node, recipients) in audience.remote { cluster.fanout(spliced, to: recipients, on: node) }
        }
        for recipient in audience.routed { route(element, to: recipient) }
    }


    private func route(_ element: XMLElement, to recipient: JID) {
        var copy = element
        copy[attribute: "to"] = recipient.description
        _ = router.route(copy)
    }

    /// On the targets' loop. A session that has just gone is routed instead (to its
    /// replacement, or bounced as usual).
    private func write(_ element: XMLElement, _ spliced: SplicedStanza, to targets: [Audience.Target]) {
        for target in targets {
            if target.session.isBound {
                target.session.stream.deliver(spliced, address: target.address, element: element)
            } else {
                route(element, to: target.session.jid)
            }
        }
    }
}

extension Fanout.Audience {
    /// Adds a session to the group of its event loop (`index`: each loop's group).
    fileprivate mutating func add(_ session: ClientSession, index: inout [ObjectIdentifier: Int]) {
        let loop = session.stream.eventLoop
        let target = Target(session: session, address: session.address)
        if let position = index[ObjectIdentifier(loop)] {
            groups[position].targets.append(target)
        } else {
            index[ObjectIdentifier(loop)] = groups.count
            groups.append((loop, [target]))
        }
    }

    /// True while every session it resolved here is still bound.
    fileprivate var isBound: Bool {
        groups.allSatisfy { $0.targets.allSatisfy(\.session.isBound) }
    }
}
