import Foundation
import XMPPCore

/// One query relayed from an occupant to another, remembered until its answer comes back.
struct RelayedIQ {
    /// The requester's session and its id for the query.
    let requester: JID
    let originalID: String
    /// Who must answer: the target occupant's nick, and the JID the query went to.
    let targetNick: String
    let target: JID
    let sent = ContinuousClock.now
}

/// iq to room/nick (XEP-0045 §7.x on IQs to occupants): the room relays queries between
/// occupants, so clients can show each other's capabilities, versions and avatars. The room
/// answers only XEP-0410 self-pings itself.
extension MUCRoom {
    /// Queries relayed to an occupant's client; anything else is not the room's to pass on.
    static let relayedNamespaces: Set<String> = [NS.discoInfo, NS.discoItems, "jabber:iq:version", NS.ping, vCardNamespace]
    static let vCardNamespace = "vcard-temp"
    /// Unanswered relayed queries a room holds at most; more are refused until answers come.
    static let maxRelayedIQs = 1_000
    /// A relayed query unanswered this long is forgotten once the table is full (clients may ignore queries).
    static let relayedIQLifetime = Duration.seconds(120)

    func occupantIQ(_ stanza: Stanza, nick: String, from: JID) {
        if stanza.type == "result" || stanza.type == "error" { return relayAnswer(stanza, from: from) }
        guard stanza.type == "get" || stanza.type == "set" else { return }
        guard let ownNick = nicks[from] else {
            return bounce(stanza, StanzaError(.notAcceptable, text: "You are not in this room."))
        }
        let payload = stanza.element.elements.first
        // XEP-0410: a ping of one's own occupant tells the client it is still in the room.
        if nick == ownNick, payload?.name == "ping", payload?.namespace == NS.ping { return answer(stanza, nil) }
        guard let target = occupants[nick] else {
            return bounce(stanza, StanzaError(.itemNotFound, text: "Nobody in the room is called \(nick)."))
        }
        guard stanza.type == "get", let namespace = payload?.namespace, Self.relayedNamespaces.contains(namespace) else {
            return bounce(stanza, StanzaError(.serviceUnavailable, text: "The room relays only discovery, version, ping and vCard queries."))
        }
        if relayedIQs.count >= Self.maxRelayedIQs { forgetStaleRelayedIQs() }
        guard relayedIQs.count < Self.maxRelayedIQs else {
            return bounce(stanza, StanzaError(.resourceConstraint, type: .wait, text: "Too many queries are waiting for answers."))
        }
        // A vCard belongs to the account: it goes to the occupant's bare JID, as to any user.
        let destination: JID? = namespace == Self.vCardNamespace ? (try? JID(target.user)) : target.sessions.sorted().first
        guard let destination else { return bounce(stanza, StanzaError(.itemNotFound)) }
        let id = UUID().uuidString
        relayedIQs[id] = RelayedIQ(requester: from, originalID: stanza.element[attribute: "id"] ?? "", targetNick: nick, target: destination)
        var relayed = stanza.element
        relayed[attribute: "id"] = id
        let sender = occupantJID(ownNick)
        relayed[attribute: "from"] = sender.description
        relayed[attribute: "to"] = destination.description
        send(relayed, to: destination, from: sender)
    }

    /// An answer to a relayed query goes back to the requester, from the answering occupant.
    private func relayAnswer(_ stanza: Stanza, from: JID) {
        guard let id = stanza.element[attribute: "id"], let pending = relayedIQs[id], pending.target == from else { return }
        relayedIQs[id] = nil
        var answer = stanza.element
        answer[attribute: "id"] = pending.originalID
        let sender = occupantJID(pending.targetNick)
        answer[attribute: "from"] = sender.description
        answer[attribute: "to"] = pending.requester.description
        send(answer, to: pending.requester, from: sender)
    }

    /// Drops queries whose target left or that waited too long.
    private func forgetStaleRelayedIQs() {
        let now = ContinuousClock.now
        relayedIQs = relayedIQs.filter { occupants[$0.value.targetNick] != nil && now - $0.value.sent < Self.relayedIQLifetime }
    }
}
