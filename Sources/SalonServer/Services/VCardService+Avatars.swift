import SalonAdmin
import SalonStore
import XMPPCore

/// XEP-0398: the vCard photo (XEP-0153) and the PEP avatar (XEP-0084) of an account are one
/// avatar. A vCard set with a new photo publishes it to `urn:xmpp:avatar:data` and `:metadata`;
/// a metadata publish whose image is in the open data node becomes the vCard's photo (§4.1:
/// only an open node, as the vCard is readable by anyone); removing either removes both. Each
/// side is written directly (never through the other's handler) and an avatar already in
/// place is not written again, so nothing comes back round.
extension VCardService: PEPChangeObserver {
    // MARK: PEP → vCard

    func published(node: String, payload: XMLElement, owner: JID) async {
        guard node == AvatarImage.metadataNS, payload.name == "metadata", payload.namespace == AvatarImage.metadataNS else { return }
        let infos = payload.children("info", namespace: AvatarImage.metadataNS)
        // XEP-0084 §4.2: metadata without <info/> means the avatar is switched off.
        guard !infos.isEmpty else { return await setPhoto(nil, owner: owner) }
        // §4.1 of XEP-0398: the info that does not point to a URL is the one stored in PEP.
        guard let info = infos.first(where: { $0[attribute: "url"] == nil }), let id = info[attribute: "id"] else { return }
        guard let image = await pepImage(id: id, type: info[attribute: "type"], owner: owner) else { return }
        await setPhoto(image, owner: owner)
    }

    func removed(node: String, owner: JID) async {
        guard node == AvatarImage.metadataNS else { return }
        let left = (try? await database.pep.items(owner: owner.description, node: node, max: 1)) ?? []
        let stillShown = left.first.flatMap { PEPService.parse($0.payload) }?.child("info", namespace: AvatarImage.metadataNS) != nil
        if !stillShown { await setPhoto(nil, owner: owner) }
    }

    /// The image of data item `id`, when the data node is open and the item's SHA-1 is its id.
    private func pepImage(id: String, type: String?, owner: JID) async -> AvatarImage? {
        do {
            guard let node = try await database.pep.node(owner: owner.description, node: AvatarImage.dataNS) else { return nil }
            guard node.config.accessModel == "open" else {
                logger.debug("avatar not copied to vcard: data node not open", metadata: ["account": "\(owner)"])
                return nil
            }
            guard let item = try await database.pep.items(owner: owner.description, node: AvatarImage.dataNS, ids: [id]).first,
                  let data = PEPService.parse(item.payload), data.name == "data", data.namespace == AvatarImage.dataNS,
                  let image = AvatarImage(base64: data.text, type: type), image.hash == id.lowercased() else {
                logger.info("avatar not copied to vcard: no matching data item", metadata: ["account": "\(owner)", "id": "\(id)"])
                return nil
            }
            return image
        } catch {
            logger.error("avatar conversion failed", metadata: ["account": "\(owner)", "error": "\(error)"])
            return nil
        }
    }

    /// Puts `image` in the vCard as its only photo (nil: takes the photo out), keeping the rest.
    private func setPhoto(_ image: AvatarImage?, owner: JID) async {
        do {
            let entry = try await database.vCards.vCard(owner: owner.description)
            guard (entry?.photoHash ?? "") != (image?.hash ?? "") else { return }
            let xml = AvatarImage.vCard(entry?.xml, photo: image).serialized(parentNamespace: NS.client)
            guard xml.utf8.count <= maxBytes else {
                logger.notice("avatar not copied to vcard: too large", metadata: ["account": "\(owner)", "bytes": "\(xml.utf8.count)"])
                return
            }
            try await database.vCards.setVCard(owner: owner.description, VCardStore.Entry(xml: xml, photoHash: image?.hash))
            logger.info("vcard photo set from pep avatar", metadata: ["account": "\(owner)", "removed": "\(image == nil)"])
            announcePhoto(of: owner, hash: image?.hash ?? "")
        } catch {
            logger.error("avatar conversion failed", metadata: ["account": "\(owner)", "error": "\(error)"])
        }
    }

    // MARK: vCard → PEP

    /// Publishes the vCard's new photo as the PEP avatar (data, then metadata, XEP-0084 §4.1),
    /// or an empty metadata item when the photo was taken out and PEP still shows one.
    func publishAvatar(_ image: AvatarImage?, owner: JID) async {
        let shown = (try? await database.pep.items(owner: owner.description, node: AvatarImage.metadataNS, max: 1))?.first
            .flatMap { PEPService.parse($0.payload) }?.child("info", namespace: AvatarImage.metadataNS)
        do throws(StanzaError) {
            if let image {
                guard shown?[attribute: "id"] != image.hash else { return }
                try await pep.publish(owner: owner, node: AvatarImage.dataNS, itemID: image.hash, payload: image.data, preferring: Self.avatarOptions)
                try await pep.publish(owner: owner, node: AvatarImage.metadataNS, itemID: image.hash, payload: image.metadata,
                                      preferring: Self.avatarOptions)
            } else {
                guard shown != nil else { return }
                try await pep.publish(owner: owner, node: AvatarImage.metadataNS, itemID: "current",
                                      payload: XMLElement("metadata", namespace: AvatarImage.metadataNS), preferring: Self.avatarOptions)
            }
            logger.info("pep avatar set from vcard", metadata: ["account": "\(owner)", "removed": "\(image == nil)"])
        } catch {
            logger.notice("avatar not copied to pep", metadata: ["account": "\(owner)", "cause": "\(error.text ?? "\(error.condition)")"])
        }
    }

    /// The vCard is readable by anyone, so its copy in PEP is too (unless the client made the
    /// nodes otherwise).
    static let avatarOptions = DataForm(type: .submit, formType: PubSub.publishOptions, fields: [
        DataForm.Field("pubsub#access_model", values: ["open"]),
        DataForm.Field("pubsub#persist_items", values: ["true"]),
    ])
}
