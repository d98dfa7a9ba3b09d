import Foundation
import PersistentChat
import XMPPCore

/// Service discovery on the room (XEP-0030/0128): its identity, features and room-info form,
/// and its occupants for those who may see them.
extension MUCRoom {
    func discoInfo(_ stanza: Stanza, user: String) {
        guard let (room, context) = current, context.directory.access(of: user, to: room).canSeeDetails else {
            return bounce(stanza, StanzaError(.itemNotFound, text: "There is no such room."))
        }
        var query = XMLElement("query", namespace: NS.discoInfo)
        query.append(XMLElement("identity", namespace: NS.discoInfo, attributes: ["category": "conference", "type": "text", "name": room.name]))
        var features = [MUC.ns, NS.discoInfo, NS.discoItems, NS.ping, "muc_persistent", "muc_nonanonymous", "muc_unsecured",
                        MUC.stanzaID, MUC.stableID, MUC.selfPingOptimization, Moderation.ns, Moderation.retract,
                        Moderation.legacyNS, VCardService.ns]
        features += roomFeatures.flatMap { $0.discoFeatures(context) }
        for feature in features {
            query.append(XMLElement("feature", namespace: NS.discoInfo, attributes: ["var": feature]))
        }
        var fields = [DataForm.Field("muc#roominfo_occupants", label: "Occupants", values: ["\(occupants.count)"])]
        fields += roomFeatures.flatMap { $0.infoFields(context) }
        fields += avatarInfoFields
        let url = environment.roomManagement.url(context.directory.settings)
        if !url.isEmpty { fields.append(DataForm.Field("\(MUC.salon)#room_management_url", label: "Room management", values: [url])) }
        query.append(DataForm(type: .result, formType: MUC.roomInfo, fields: fields).element)
        answer(stanza, query)
    }

    /// The occupants, for anyone allowed in (ParticipantUpdateLimit keeps this on request).
    func discoItems(_ stanza: Stanza, user: String, from: JID) {
        guard let (room, context) = current else { return bounce(stanza, StanzaError(.itemNotFound)) }
        let access = context.directory.access(of: user, to: room)
        guard access.canSeeDetails else { return bounce(stanza, StanzaError(.itemNotFound)) }
        var query = XMLElement("query", namespace: NS.discoItems)
        if access.maySeeOccupants(asOccupant: nicks[from] != nil) {
            for nick in occupants.keys.sorted() {
                query.append(XMLElement("item", namespace: NS.discoItems, attributes: ["jid": occupantJID(nick).description, "name": nick]))
            }
        }
        answer(stanza, query)
    }
}
