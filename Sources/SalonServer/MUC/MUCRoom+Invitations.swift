import Foundation
import PersistentChat
import XMPPCore

/// XEP-0045 §7.8.2 mediated invitations. PersistentChat decides who may invite; a manager's
/// invitation into a members-only room first makes the invitee a member (§7.8), which the
/// category's scope may refuse.
extension MUCRoom {
    func mediatedInvitation(_ stanza: Stanza, invite: XMLElement, from: JID) {
        guard let (room, context) = current else { return bounce(stanza, StanzaError(.itemNotFound)) }
        let inviter = from.bare.description
        do {
            try context.directory.checkMayInvite(inviter, to: room)
        } catch {
            environment.logger.notice("invitation refused", metadata: ["actor": "\(inviter)", "room": "\(localpart)", "cause": "\(error.message)"])
            return bounce(stanza, StanzaError.refusal(error))
        }
        guard let raw = invite[attribute: "to"], let invitee = try? JID(raw) else {
            return bounce(stanza, StanzaError(.jidMalformed, text: "An invitation needs a valid 'to'."))
        }
        var forwarded = XMLElement("invite", namespace: MUC.user, attributes: ["from": inviter])
        if let reason = invite.child("reason", namespace: MUC.user) { forwarded.append(reason) }
        let message = XMLElement("message", namespace: NS.client, attributes: ["from": jid.description, "to": invitee.description], children: [
            .element(XMLElement("x", namespace: MUC.user, children: [.element(forwarded)])),
        ])
        // XEP-0191 §3.3: an invitee who blocked the inviter's real JID gets nothing from it.
        switch environment.output.router.blocksRelayed(from: from, to: invitee) {
        case false?:
            forward(stanza, message, to: invitee, from: inviter)
        case true?:
            bounce(stanza, StanzaError(.serviceUnavailable))
        case nil:
            let router = environment.output.router
            awaiting({ try await router.blocksRelayedLookingUp(from: from, to: invitee) }) { [self] result in
                switch result {
                case .success(false):
                    forward(stanza, message, to: invitee, from: inviter)
                case .success(true):
                    bounce(stanza, StanzaError(.serviceUnavailable))
                case .failure(let error):
                    environment.logger.storageFailure("blocklist lookup failed", error, metadata: ["account": "\(invitee.bare)"])
                    bounce(stanza, StanzaError(.internalServerError))
                }
            }
        }
    }

    /// Sends the invitation, first making the invitee a member where the invitation does that.
    private func forward(_ stanza: Stanza, _ message: XMLElement, to invitee: JID, from inviter: String) {
        guard let (room, context) = current else { return bounce(stanza, StanzaError(.itemNotFound)) }
        let user = invitee.bare.description
        guard context.directory.invitationAddsMember(user, to: room, from: inviter) else { return send(message, to: invitee, from: jid) }
        let (host, localpart) = (host, localpart)
        awaiting({
            try await host.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.addInvitee(user, to: localpart, by: .user(inviter))
            }
        }) { [self] result in
            switch result {
            case .success:
                environment.logger.notice("invitee added as member", metadata: ["actor": "\(inviter)", "room": "\(localpart)", "target": "\(user)"])
                send(message, to: invitee, from: jid)
            case .failure(let error):
                environment.logger.notice("invitation refused", metadata: [
                    "actor": "\(inviter)", "room": "\(localpart)", "cause": "\((error as? ChatRuleError)?.message ?? "\(error)")",
                ])
                bounce(stanza, StanzaError.refusal(error))
            }
        }
    }
}
