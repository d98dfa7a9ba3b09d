import Foundation
import PersistentChat
import XMPPCore

/// iq to the room JID, handed to what answers it: pings and XEP-0410 self-pings here; discovery
/// (MUCRoom+Disco), muc#admin lists, kicks and voice (MUCRoom+Admin), archive and moderation
/// (Archive/), muc#owner configuration (MUCRoom+Configuration) and destruction (MUCRoom+Destruction).
extension MUCRoom {
    func iq(_ stanza: Stanza, from: JID) {
        guard stanza.type == "get" || stanza.type == "set", let payload = stanza.element.elements.first else { return }
        let user = from.bare.description
        switch (stanza.type, payload.namespace, payload.name) {
        case (_, VCardService.ns, "vCard"):
            vCard(stanza, payload: payload, user: user)
        case ("get", NS.ping, "ping"):
            answer(stanza, nil)
        case ("get", NS.discoInfo, "query"):
            discoInfo(stanza, user: user)
        case ("get", NS.discoItems, "query"):
            discoItems(stanza, user: user, from: from)
        case (_, MUC.admin, "query"):
            admin(stanza, query: payload, user: user)
        case (_, MAM.ns, "query"):
            archiveQuery(stanza, query: payload, user: user)
        case ("get", MAM.ns, "metadata"):
            archiveMetadata(stanza, user: user)
        case ("set", Moderation.ns, "moderate"):
            moderate(stanza, request: ModerationRequest(current: payload), user: user)
        case ("set", Moderation.fasten, "apply-to") where payload.child("moderate", namespace: Moderation.legacyNS) != nil:
            moderate(stanza, request: ModerationRequest(legacy: payload), user: user)
        case ("get", MUC.owner, "query"):
            configurationForm(stanza, user: user)
        case ("set", MUC.owner, "query"):
            if let destroy = payload.child("destroy", namespace: MUC.owner) {
                self.destroy(stanza, reason: destroy.child("reason", namespace: MUC.owner)?.text, user: user)
            } else {
                configure(stanza, form: payload.child("x", namespace: DataForm.namespace).flatMap(DataForm.init), user: user)
            }
        default:
            bounce(stanza, StanzaError(.serviceUnavailable))
        }
    }
}
