import Foundation
import PersistentChat
import SalonStore
import XMPPCore

/// Room avatars (XEP-0486): vCard-temp (XEP-0054) on the room JID. Whoever may see the room's
/// details reads it; whoever may configure the room sets it (PersistentChat's
/// `checkMayConfigure`), and an empty vCard removes it. The photo's hash is advertised in the
/// room-info form (`muc#roominfo_avatarhash`), and a new one is announced to occupants with
/// status 104, as a configuration change is.
extension MUCRoom {
    static let avatarHashField = "muc#roominfo_avatarhash"

    func vCard(_ stanza: Stanza, payload: XMLElement, user: String) {
        guard let (room, context) = current, context.directory.access(of: user, to: room).canSeeDetails else {
            return bounce(stanza, StanzaError(.itemNotFound, text: "There is no such room."))
        }
        let chat = environment.chat
        let localpart = localpart
        guard stanza.type == "set" else {
            return awaiting({ try await chat.roomVCard(room: localpart) }) { [self] result in
                switch result {
                case .success(let entry):
                    let stored = entry.flatMap { try? XMLStreamParser.parseStanza($0.xml, namespace: NS.client) }
                    answer(stanza, stored ?? XMLElement("vCard", namespace: VCardService.ns))
                case .failure(let error):
                    environment.logger.storageFailure("room vcard read failed", error, metadata: ["room": "\(localpart)"])
                    bounce(stanza, StanzaError(.internalServerError))
                }
            }
        }
        guard allows(stanza, { try access(user).checkMayConfigure() }) else { return }
        let xml = payload.serialized(parentNamespace: NS.client)
        guard xml.utf8.count <= environment.maxVCardBytes else {
            return bounce(stanza, StanzaError(.notAcceptable, text: "A room vCard holds at most \(environment.maxVCardBytes) bytes; use a smaller photo."))
        }
        // XEP-0486 §4.1: setting an empty vCard unpublishes the avatar.
        let entry = payload.elements.isEmpty ? nil : VCardStore.Entry(xml: xml, photoHash: VCardService.photoHash(of: payload))
        awaiting({ try await chat.setRoomVCard(room: localpart, entry) }) { [self] result in
            switch result {
            case .success:
                environment.logger.info("room vcard set", metadata: ["actor": "\(user)", "room": "\(localpart)", "bytes": "\(entry == nil ? 0 : xml.utf8.count)"])
                answer(stanza, nil)
                avatarChanged(to: entry?.photoHash)
            case .failure(let error):
                environment.logger.storageFailure("room vcard write failed", error, metadata: ["room": "\(localpart)"])
                bounce(stanza, StanzaError(.internalServerError))
            }
        }
    }

    /// Reads the avatar's hash again (at warm-up, and after the CLI changed it).
    func reloadAvatar() {
        let chat = environment.chat
        let localpart = localpart
        awaiting({ try await chat.roomVCard(room: localpart)?.photoHash }) { [self] result in
            guard case .success(let hash) = result else { return }
            avatarChanged(to: hash)
        }
    }

    /// The room-info field of the avatar's hash; none without an avatar (XEP-0486 §5).
    var avatarInfoFields: [DataForm.Field] {
        guard let avatarHash else { return [] }
        return [DataForm.Field(Self.avatarHashField, type: "text-multi", label: "Avatar hash", values: [avatarHash])]
    }

    private func avatarChanged(to hash: String?) {
        guard hash != avatarHash else { return }
        avatarHash = hash
        announceConfigurationChange()
    }

    /// XEP-0045 §10.2.1 status 104: occupants learn the room's information changed (XEP-0486 §4.1).
    func announceConfigurationChange() {
        let from = jid
        let id = UUID().uuidString
        broadcast(from: from) { session in
            XMLElement("message", namespace: NS.client, attributes: ["from": from.description, "to": session.description, "type": "groupchat", "id": id],
                       children: [.element(XMLElement("x", namespace: MUC.user, children: [
                           .element(XMLElement("status", namespace: MUC.user, attributes: ["code": "\(MUCStatus.configurationChanged.rawValue)"])),
                       ]))])
        }
    }
}
