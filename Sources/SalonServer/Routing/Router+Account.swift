import XMPPCore

/// Answers the server gives on an account's behalf (RFC 6120 §10.5.3.3): vCard, private
/// storage, PEP, ping and disco at the account's bare JID all reply as the account.
extension Router {
    /// Sends `reply` with `account` as its sender.
    func send(_ reply: XMLElement, as account: JID) {
        var reply = reply
        reply[attribute: "from"] = account.description
        _ = route(reply)
    }

    /// `send(_:as:)` for a service that is handed where to reply.
    func replying(as account: JID) -> @Sendable (XMLElement) -> Void {
        { [self] reply in send(reply, as: account) }
    }
}
