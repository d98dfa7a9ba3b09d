import XMPPCore

/// XEP-0280 message carbons: copies of a user's 1:1 messages for their other carbon-enabled
/// resources, so a conversation reads the same on every device. Which messages are copied
/// follows §6.1 (`urn:xmpp:carbons:rules:0`) and the XEP-0334 `<no-copy/>` hint.
struct MessageCarbons {
    static let ns = "urn:xmpp:carbons:2"
    static let rules = "urn:xmpp:carbons:rules:0"
    static let forward = "urn:xmpp:forward:0"
    static let hints = "urn:xmpp:hints"

    let sessions: SessionRegistry
    /// This server's MUC service: private messages from its occupants are not copied.
    let mucDomain: String
    /// The cluster, whose other nodes may hold more of the owner's resources.
    let cluster: ClusterRouter?

    enum Direction { case received, sent }

    /// XEP-0280 §4–5: turns carbons on or off for the asking resource; repeating is no error.
    static func handle(_ iq: Stanza, payload: XMLElement, session: ClientSession, sessions: SessionRegistry) -> XMLElement {
        guard iq.type == "set", payload.name == "enable" || payload.name == "disable" else {
            return iq.errorReply(StanzaError(.badRequest, text: "Carbons are enabled or disabled with an iq set."))
        }
        let enable = payload.name == "enable"
        sessions.updatePresence(of: session) { $0.carbons = enable }
        return iq.resultReply(nil)
    }

    /// A message was delivered to `deliveredTo` of `owner`'s resources: every other
    /// carbon-enabled resource gets a `<received/>` copy. `toBoundResource` is whether it was
    /// addressed to a full JID that is bound (errors are copied only then). `deliveredElsewhere`:
    /// resources on other cluster nodes that got the message itself.
    func received(_ message: XMLElement, owner: JID, from: JID, deliveredTo: [ClientSession], deliveredElsewhere: [JID] = [],
                  toBoundResource: Bool) {
        guard Self.isEligible(message, direction: .received, counterpart: from, mucDomain: mucDomain,
                              toBoundResource: toBoundResource) else { return }
        let delivered = Set(deliveredTo.map(\.jid) + deliveredElsewhere)
        copy(message, as: "received", owner: owner) { !delivered.contains($0) }
    }

    /// A resource sent a message to `to`: its other carbon-enabled resources get a `<sent/>` copy.
    /// Messages to the account itself are not copied: its resources get the message itself.
    func sent(_ message: XMLElement, to: JID, by session: ClientSession) {
        let owner = session.jid.bare
        // A private message to an occupant of this service is copied by the room (`sentToOccupant`).
        guard to.bare != owner, !(to.domainpart == mucDomain && to.resourcepart != nil),
              Self.isEligible(message, direction: .sent, counterpart: to, mucDomain: mucDomain,
                              toBoundResource: false) else { return }
        copy(message, as: "sent", owner: owner) { $0 != session.jid }
    }

    /// A resource sent a private message to a room occupant: only its other resources joined to
    /// that room under the same nick get a `<sent/>` copy; the others are not in that conversation.
    func sentToOccupant(_ message: XMLElement, to occupant: JID, by sender: JID, joinedAs sameNick: Set<JID>) {
        guard Self.isEligible(message, direction: .sent, counterpart: occupant, mucDomain: mucDomain,
                              toBoundResource: false) else { return }
        copy(message, as: "sent", owner: sender.bare) { $0 != sender && sameNick.contains($0) }
    }

    /// Copies to the owner's carbon-enabled resources `includes` takes (by full JID): those of
    /// this node, and those on other nodes of a cluster (this node made every copy: theirs only
    /// deliver).
    private func copy(_ message: XMLElement, as wrapper: String, owner: JID, to includes: (JID) -> Bool) {
        let targets = sessions.resources(of: owner).filter { $0.carbons && includes($0.session.jid) }
        let elsewhere = cluster?.remote.resources(of: owner).filter { $0.carbons && includes($0.jid) } ?? []
        guard !targets.isEmpty || !elsewhere.isEmpty else { return }
        let forwarded = XMLElement("forwarded", namespace: Self.forward, children: [.element(message)])
        func carbon(to target: JID) -> XMLElement {
            var carbon = XMLElement("message", namespace: NS.client, attributes: [
                "from": owner.description, "to": target.description, "type": message[attribute: "type"] ?? "normal",
            ])
            carbon.append(XMLElement(wrapper, namespace: Self.ns, children: [.element(forwarded)]))
            return carbon
        }
        for target in targets { target.session.deliver(carbon(to: target.session.jid)) }
        for target in elsewhere { cluster?.forward(carbon(to: target.jid), to: target, from: owner, deliverOnly: true) }
    }

    /// Whether a message is a carbon this server made for `owner`'s resources.
    static func isCarbon(_ message: XMLElement, for owner: JID) -> Bool {
        message[attribute: "from"] == owner.description
            && (message.child("received", namespace: ns) != nil || message.child("sent", namespace: ns) != nil)
    }

    // MARK: Eligibility (XEP-0280 §6.1)

    /// Payloads that make any message part of a conversation: receipts, chat states, markers.
    private static let conversationPayloads: Set<String> = [
        "urn:xmpp:receipts", "http://jabber.org/protocol/chatstates", "urn:xmpp:chat-markers:0",
    ]
    private static let mucUser = "http://jabber.org/protocol/muc#user"
    private static let directInvitation = "jabber:x:conference"

    static func isEligible(_ message: XMLElement, direction: Direction, counterpart: JID, mucDomain: String,
                           toBoundResource: Bool) -> Bool {
        let type = message[attribute: "type"] ?? "normal"
        if type == "groupchat" { return false }
        if message.child("private", namespace: ns) != nil || message.child("no-copy", namespace: hints) != nil { return false }
        // A carbon is never copied again; someone else's forged carbon is not made more credible.
        if message.child("received", namespace: ns) != nil || message.child("sent", namespace: ns) != nil { return false }
        let mucUserElement = message.child("x", namespace: mucUser)
        if message.child("x", namespace: directInvitation) != nil { return true }
        if mucUserElement?.child("invite", namespace: mucUser) != nil { return true }
        let fromOccupant = counterpart.resourcepart != nil && (counterpart.domainpart == mucDomain || mucUserElement != nil)
        // The room already gives an occupant's private messages to each joined client.
        if direction == .received, fromOccupant { return false }
        if type == "error" { return direction == .received && toBoundResource }
        if type == "chat" { return true }
        if type == "normal", message.child("body", namespace: NS.client) != nil { return true }
        return message.elements.contains { conversationPayloads.contains($0.namespace) }
    }
}
