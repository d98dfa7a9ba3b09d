import PersistentChat
import SalonStore
import XMPPCore

/// Room avatars from the command line (XEP-0486): the photo of the room's vCard, set or taken
/// out, the rest of the vCard kept. A running server learns of it by the room's content
/// revision (it re-reads the hash and tells the occupants with status 104).
extension ChatAdministration {
    /// The largest room vCard written here: the server's default `limits.max_vcard_bytes`.
    public static let maxRoomVCardBytes = 131_072

    /// Sets `image` as the room's avatar, or removes it (nil).
    public func setRoomAvatar(_ image: AvatarImage?, room: String) async throws {
        let vCard = AvatarImage.vCard(try await database.chat.roomVCard(room: room)?.xml, photo: image)
        let xml = vCard.serialized(parentNamespace: NS.client)
        guard xml.utf8.count <= Self.maxRoomVCardBytes else {
            throw ChatRuleError(.invalid, "The room's vCard would hold \(xml.utf8.count) bytes; at most \(Self.maxRoomVCardBytes) are kept.")
        }
        try await database.chat.setRoomVCard(room: room, vCard.elements.isEmpty ? nil : VCardStore.Entry(xml: xml, photoHash: image?.hash))
        try await database.chat.bumpRevision(contentOf: room)
    }
}
