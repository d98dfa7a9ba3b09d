import XMPPCore

/// XEP-0191 enforcement where stanzas cross between an account and anyone else. Online
/// accounts' lists are cached in the `SessionRegistry`; an offline account's is asked of the store.
extension Router {
    /// Passes a stanza for an account through the account's blocklist, then `deliver`s it.
    /// Neither a stanza between resources of one account nor the server's own (answers to the
    /// account, pings) is ever blocked, even by an item naming this domain.
    func screenInbound(_ stanza: Stanza, to: JID, from: JID,
                       then deliver: @escaping @Sendable () -> RoutingFollowup?) -> RoutingFollowup? {
        let owner = to.bare
        guard from.bare != owner, from.localpart != nil || from.domainpart != domain else { return deliver() }
        if let blocked = cachedBlock(by: owner, of: from) {
            if blocked { refuseBlocked(stanza); return nil }
            return deliver()
        }
        // Results and errors reach nobody when the account is offline; anything else might be
        // stored or answered on its behalf, so the stored list is asked first.
        if stanza.isError || (stanza.kind == .iq && stanza.type == "result") { return deliver() }
        return { [self] in
            let blocked: Bool
            do {
                blocked = try await blocks(by: owner, of: from)
            } catch {
                logger.storageFailure("blocklist lookup failed", error, metadata: ["account": "\(owner)"])
                bounce(stanza, StanzaError(.internalServerError))
                return
            }
            if blocked { refuseBlocked(stanza); return }
            if let work = deliver() { await work() }
        }
    }

    /// §3.3: to a blocked sender the account looks offline: messages and requests get
    /// service-unavailable, presence and answers vanish.
    private func refuseBlocked(_ stanza: Stanza) {
        switch stanza.kind {
        case .message:
            bounce(stanza, StanzaError(.serviceUnavailable))
        case .iq where stanza.type == "get" || stanza.type == "set":
            bounce(stanza, StanzaError(.serviceUnavailable))
        default:
            break
        }
    }

    /// Whether a stanza a resource addresses to `to` is held back by the sender's own blocklist
    /// (§3.3); if so the sender has been answered (`not-acceptable` + `<blocked/>`). Ending a
    /// subscription still goes through: it only reduces what the blocked party gets.
    func refusesOutbound(_ stanza: Stanza, to: JID, from session: ClientSession) -> Bool {
        let owner = session.jid.bare
        guard to.bare != owner, to.localpart != nil || to.resourcepart != nil || to.domainpart != domain,
              let list = sessions.blocklist(of: owner), Blocklist.covers(list, to) else { return false }
        switch (stanza.kind, stanza.type) {
        case (.presence, "unsubscribe"), (.presence, "unsubscribed"):
            return false
        case (.presence, _), (.iq, "result"), (.iq, "error"), (.message, "error"):
            return true
        default:
            session.deliver(stanza.errorReply(Blocklist.blockedError))
            return true
        }
    }

    /// Whether presence must not pass between an account and another JID: either blocks the
    /// other (only online accounts' lists matter: an offline account gets no presence).
    func blocksPresence(between owner: JID, and other: JID) -> Bool {
        guard owner.bare != other.bare else { return false }
        if let list = sessions.blocklist(of: owner.bare), Blocklist.covers(list, other) { return true }
        if other.domainpart == domain, other.localpart != nil,
           let list = sessions.blocklist(of: other.bare), Blocklist.covers(list, owner) { return true }
        return false
    }
}

/// XEP-0191 §3.3 applied to what a room relays for an occupant (a private message, a mediated
/// invitation): the recipient's list is asked about the occupant's real JID, as if it had sent
/// the stanza itself, since the room's own address hides who sent it.
extension Router {
    /// Whether `recipient`'s account blocks `realSender`; nil when the account is offline (its
    /// list is cached only while it is online).
    func blocksRelayed(from realSender: JID, to recipient: JID) -> Bool? {
        let owner = recipient.bare
        guard owner.domainpart == domain, owner.localpart != nil, realSender.bare != owner else { return false }
        return cachedBlock(by: owner, of: realSender)
    }

    /// As `blocksRelayed`, asking the store for an offline account's list.
    func blocksRelayedLookingUp(from realSender: JID, to recipient: JID) async throws -> Bool {
        if let known = blocksRelayed(from: realSender, to: recipient) { return known }
        return try await blocks(by: recipient.bare, of: realSender)
    }
}

/// The one lookup both kinds of screening use.
extension Router {
    /// Whether `owner`'s list covers `sender`, from the list cached while the account is
    /// online; nil when it is offline.
    func cachedBlock(by owner: JID, of sender: JID) -> Bool? {
        sessions.blocklist(of: owner).map { Blocklist.covers($0, sender) }
    }

    /// Whether `owner`'s list covers `sender`: the cached list, else the stored one.
    func blocks(by owner: JID, of sender: JID) async throws -> Bool {
        if let cached = cachedBlock(by: owner, of: sender) { return cached }
        return try await database.blocklists.blocks(owner: owner.description, anyOf: Blocklist.items(covering: sender))
    }
}
