import SalonStore
import Synchronization
import XMPPCore

/// XEP-0313 on accounts, where messages cross the router: a 1:1 message is archived for its
/// sender and its recipient (`PersonalArchiving` says which copies) before it is delivered or
/// stored offline, and the recipient's copy carries the recipient's XEP-0359 stanza-id. The
/// copies go through the archive writer's group commit; the sender's stream awaits the
/// follow-up, so its messages keep their order, and work that nobody awaits (a room relaying a
/// private message) still completes.
extension Router {
    /// Archives the copies of a message for a local account `to`, then hands the stamped
    /// message to `deliver`; nil when nothing is archived (deliver it as it is).
    func archivingToAccount(_ stanza: Stanza, to: JID, from: JID, sent: SenderArchiveID? = nil,
                            then deliver: @escaping @Sendable (Stanza) -> RoutingFollowup?) -> RoutingFollowup? {
        var stanza = stanza
        if personalArchiving.isLocalAccount(from), from.bare != to.bare { stanza.element.removeStanzaIDs(claimingToBeBy: from) }
        let copies = personalArchiving.copies(of: stanza.element, to: to, from: from)
        guard !copies.isEmpty else { return nil }
        return archive(stanza, copies: copies, stampingFor: to.bare, sent: sent, then: deliver)
    }

    /// Archives the sender's copy of a message leaving this server's accounts (to a room
    /// occupant, a component), then hands it on; nil when nothing is archived.
    func archivingOutgoing(_ stanza: Stanza, to: JID, from: JID, sent: SenderArchiveID?,
                           then deliver: @escaping @Sendable (Stanza) -> RoutingFollowup?) -> RoutingFollowup? {
        var stanza = stanza
        stanza.element.removeStanzaIDs(claimingToBeBy: from)
        guard let copy = personalArchiving.outgoingCopy(of: stanza.element, to: to, from: from) else { return nil }
        return archive(stanza, copies: [copy], stampingFor: nil, sent: sent, then: deliver)
    }

    /// A message a client sent: routed, then copied to the sender's other carbon-enabled
    /// resources (XEP-0280). When the sender's archive keeps it, the copy is made after the
    /// commit and its forwarded message carries the sender's stanza-id (XEP-0313 §3.5: in
    /// carbons, not in what the recipient gets).
    func routeSent(_ stanza: Stanza, to: JID, by session: ClientSession) -> RoutingFollowup? {
        let sent = SenderArchiveID()
        let carbons = carbons
        guard let followup = route(stanza, to: to, from: session.jid, sent: sent) else {
            carbons.sent(stanza.element, to: to, by: session)
            return nil
        }
        return {
            await followup()
            var element = stanza.element
            if let (owner, id) = sent.value {
                element.append(XMLElement("stanza-id", namespace: MUC.stanzaID, attributes: ["by": owner, "id": id]))
            }
            carbons.sent(element, to: to, by: session)
        }
    }

    /// Routes again a message a closing stream handed back (RFC 6121 §8.5: the account's other
    /// resources or offline storage). It was screened and archived on its way in, so it is not
    /// archived again.
    func rerouteUndelivered(_ element: XMLElement) -> RoutingFollowup? {
        guard let stanza = Stanza(element), let to = try? stanza.to, let from = try? stanza.from else { return nil }
        guard personalArchiving.isLocalAccount(to) else { return route(element) }
        return deliverToAccount(stanza, to: to, from: from)
    }

    /// A room's private message for every session of one occupant (`message` addressed to none
    /// yet): screened and archived once for the recipient's account, then delivered to each
    /// session. The follow-up ends once all have it; the room waits for it before anything
    /// else it sends, so nothing overtakes the message.
    func routePrivateMessage(_ message: XMLElement, to sessions: [JID], from sender: JID) -> RoutingFollowup? {
        guard let first = sessions.first else { return nil }
        guard personalArchiving.isLocalAccount(first) else {
            // An occupant served by a component: no archive here, routed as addressed.
            for session in sessions {
                var element = message
                element[attribute: "to"] = session.description
                if let stanza = Stanza(element) { _ = route(stanza, to: session, from: sender) }
            }
            return nil
        }
        var element = message
        element[attribute: "to"] = first.description
        element.removeStanzaIDs(claimingToBeBy: first)
        guard let stanza = Stanza(element) else { return nil }
        let deliverAll: @Sendable (Stanza) -> RoutingFollowup? = { [self] stamped in
            let followups = sessions.compactMap { session -> RoutingFollowup? in
                var copy = stamped
                copy.element[attribute: "to"] = session.description
                return deliverToAccount(copy, to: session, from: sender)
            }
            if followups.isEmpty { return nil }
            return {
                for work in followups { await work() }
            }
        }
        return screenInbound(stanza, to: first, from: sender) { [self] in
            if let archiving = archivingToAccount(stanza, to: first, from: sender, then: deliverAll) { return archiving }
            return deliverAll(stanza)
        }
    }

    /// Appends `copies` and, once committed, delivers the message with the stanza-id of the
    /// copy `stampingFor` owns (if kept); a failed write bounces the message (nothing is
    /// delivered that the archive lost).
    private func archive(_ stanza: Stanza, copies: [PersonalMessage], stampingFor recipient: JID?, sent: SenderArchiveID?,
                         then deliver: @escaping @Sendable (Stanza) -> RoutingFollowup?) -> RoutingFollowup {
        let done = WorkSignal()
        archiveWriter.append(personal: copies) { [self] result in
            switch result {
            case .success(let kept):
                var stanza = stanza
                for (copy, kept) in zip(copies, kept) where kept {
                    if copy.owner == recipient?.description {
                        stanza.element.append(XMLElement("stanza-id", namespace: MUC.stanzaID,
                                                         attributes: ["by": copy.owner, "id": copy.stanzaID]))
                    } else if copy.outgoing {
                        sent?.set(copy.owner, copy.stanzaID)
                    }
                }
                guard let more = deliver(stanza) else { return done.finish() }
                Task {
                    await more()
                    done.finish()
                }
            case .failure(let error):
                logger.storageFailure("personal archive write failed", error,
                                      metadata: ["account": "\(copies.map(\.owner).joined(separator: ","))"])
                bounce(stanza, .storage(error, text: "The message could not be archived."))
                done.finish()
            }
        }
        return { await done.wait() }
    }
}

/// The sender's archive id of a message, once its copy is committed (`routeSent`).
final class SenderArchiveID: Sendable {
    private let state = Mutex<(owner: String, id: String)?>(nil)

    func set(_ owner: String, _ id: String) {
        state.withLock { $0 = (owner, id) }
    }

    var value: (owner: String, id: String)? { state.withLock { $0 } }
}

/// A one-shot signal: work started now, awaited later (or never).
private final class WorkSignal: Sendable {
    private let state = Mutex<(finished: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func finish() {
        let waiters = state.withLock { state in
            state.finished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let finished = state.withLock { state in
                if !state.finished { state.waiters.append(continuation) }
                return state.finished
            }
            if finished { continuation.resume() }
        }
    }
}
