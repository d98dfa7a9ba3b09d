import Logging
import SalonAdmin
import SalonStore
import XMPPCore

/// XEP-0054 vcard-temp on accounts: each account sets its own vCard and anyone reads it at the
/// account's bare JID. Stored as the XML the owner sent, size-limited, with the SHA-1 of its
/// photo (XEP-0153) kept beside it. The photo and the XEP-0084 avatar in PEP are kept the same
/// (XEP-0398, `VCardService+Avatars.swift`).
final class VCardService: Sendable {
    static let ns = "vcard-temp"
    static let updateNS = "vcard-temp:x:update"

    let database: any StoreBackend
    let sessions: SessionRegistry
    let presence: PresenceService
    let pep: PEPService
    /// The largest vCard accepted, serialised (`limits.max_vcard_bytes`).
    let maxBytes: Int
    let logger: Logger

    init(database: any StoreBackend, sessions: SessionRegistry, presence: PresenceService, pep: PEPService, maxBytes: Int, logger: Logger) {
        self.database = database
        self.sessions = sessions
        self.presence = presence
        self.pep = pep
        self.maxBytes = maxBytes
        self.logger = logger
    }

    /// A vCard get or set addressed to `owner` (the asker's own account when it gave no `to`).
    /// `reply` sends the answer with the account as its sender.
    func handle(_ iq: Stanza, payload: XMLElement, owner: JID, from: JID,
                reply: @escaping @Sendable (XMLElement) -> Void) -> RoutingFollowup? {
        guard payload.name == "vCard" else {
            reply(iq.errorReply(StanzaError(.badRequest, text: "Expected a <vCard/>.")))
            return nil
        }
        switch iq.type {
        case "get":
            // Not a follow-up: a room relaying an occupant's vCard query does not await one.
            Task { await get(iq, owner: owner, reply: reply) }
            return nil
        case "set":
            guard from.bare == owner else {
                reply(iq.errorReply(StanzaError(.forbidden, text: "Only the account itself sets its vCard.")))
                return nil
            }
            let xml = payload.serialized(parentNamespace: NS.client)
            guard xml.utf8.count <= maxBytes else {
                reply(iq.errorReply(StanzaError(.notAcceptable, text: "A vCard holds at most \(maxBytes) bytes; use a smaller photo.")))
                return nil
            }
            let entry = VCardStore.Entry(xml: xml, photoHash: Self.photoHash(of: payload))
            return { [self] in
                do {
                    let previous = try await database.vCards.vCard(owner: owner.description)
                    try await database.vCards.setVCard(owner: owner.description, entry)
                    logger.info("vcard set", metadata: ["account": "\(owner)", "bytes": "\(xml.utf8.count)"])
                    // The PEP copy is made before the answer, so what the client reads next agrees.
                    if (previous?.photoHash ?? "") != (entry.photoHash ?? "") {
                        await publishAvatar(AvatarImage(vCard: payload), owner: owner)
                    }
                    reply(iq.resultReply(nil))
                    announcePhoto(of: owner, hash: entry.photoHash ?? "")
                } catch {
                    logger.storageFailure("vcard write failed", error, metadata: ["account": "\(owner)"])
                    reply(iq.errorReply(StanzaError(.internalServerError)))
                }
            }
        default:
            return nil
        }
    }

    private func get(_ iq: Stanza, owner: JID, reply: @Sendable (XMLElement) -> Void) async {
        do {
            if let entry = try await database.vCards.vCard(owner: owner.description),
               let vCard = try? XMLStreamParser.parseStanza(entry.xml, namespace: NS.client) {
                return reply(iq.resultReply(vCard))
            }
            // §3.1: an account without a vCard has an empty one; no account, no vCard.
            guard try await database.accounts.exists(jid: owner.description) else {
                return reply(iq.errorReply(StanzaError(.serviceUnavailable)))
            }
            reply(iq.resultReply(XMLElement("vCard", namespace: Self.ns)))
        } catch {
            logger.storageFailure("vcard read failed", error, metadata: ["account": "\(owner)"])
            reply(iq.errorReply(StanzaError(.internalServerError)))
        }
    }

    /// XEP-0153 §3.2: contacts learn of a changed photo by the owner's presence, sent again.
    func announcePhoto(of owner: JID, hash: String) {
        guard sessions.photoHash(of: owner) != hash else { return }
        sessions.setPhotoHash(of: owner, hash)
        presence.rebroadcast(of: owner) { presence in
            presence.removeChildren("x", namespace: Self.updateNS)
            Self.stampPhoto(&presence, hash: hash)
        }
    }

    /// Adds `<x xmlns='vcard-temp:x:update'>` for a presence whose client gave none: the photo's
    /// hash, or an empty `<photo/>` (a vCard without photo); nothing when there is no vCard.
    static func stampPhoto(_ presence: inout XMLElement, hash: String?) {
        guard let hash else { return }
        var photo = XMLElement("photo", namespace: updateNS)
        if !hash.isEmpty { photo.append(text: hash) }
        presence.append(XMLElement("x", namespace: updateNS, children: [.element(photo)]))
    }

    /// XEP-0398 §5: the server's hash goes into every available presence, broadcast or
    /// directed, whose client gave no `<photo/>` (an `<x/>` without one is replaced).
    static func stampPhotoUnlessGiven(_ presence: inout XMLElement, hash: String?) {
        guard hash != nil else { return }
        if let x = presence.child("x", namespace: updateNS), x.child("photo", namespace: updateNS) != nil { return }
        presence.removeChildren("x", namespace: updateNS)
        stampPhoto(&presence, hash: hash)
    }

    /// XEP-0153 §4: the hex SHA-1 of the photo's binary value, nil without one.
    static func photoHash(of vCard: XMLElement) -> String? {
        AvatarImage(vCard: vCard)?.hash
    }
}
