import SalonStore
import XMPPCore

/// Service discovery of an account's PEP service (XEP-0163 §6, XEP-0030).
extension PEPService {
    /// The account's identities and features beside its own: PEP, private storage, bookmarks.
    static let accountIdentity = XMLElement("identity", namespace: NS.discoInfo, attributes: ["category": "pubsub", "type": "pep"])
    static let accountFeatures = PubSub.features
        + [PersonalStorage.privateXML, PersonalStorage.bookmarksCompat, PersonalStorage.bookmarksCompatPEP]

    /// disco#items of the bare JID: the nodes the requester may read.
    func discoItems(_ iq: Stanza, owner: JID, requester: JID) -> RoutingFollowup {
        { [self] in
            let nodes = (try? await database.pep.nodes(owner: owner.description)) ?? []
            var query = XMLElement("query", namespace: NS.discoItems)
            for node in nodes where await readRefusal(node, owner: owner, requester: requester) == nil {
                query.append(XMLElement("item", namespace: NS.discoItems, attributes: ["jid": owner.description, "node": node.name]))
            }
            router.send(iq.resultReply(query), as: owner)
        }
    }

    /// disco#info of one node (XEP-0060 §5.3): a leaf, if the requester may read it.
    func discoInfo(_ iq: Stanza, node: String, owner: JID, requester: JID) -> RoutingFollowup {
        { [self] in
            do throws(StanzaError) {
                let stored = try await existingNode(owner: owner, node: node)
                if await readRefusal(stored, owner: owner, requester: requester) != nil { throw StanzaError(.itemNotFound) }
                let query = XMLElement("query", namespace: NS.discoInfo, attributes: ["node": node], children: [
                    .element(XMLElement("identity", namespace: NS.discoInfo, attributes: ["category": "pubsub", "type": "leaf"])),
                    .element(XMLElement("feature", namespace: NS.discoInfo, attributes: ["var": PubSub.ns])),
                ])
                router.send(iq.resultReply(query), as: owner)
            } catch {
                refuse(iq, owner: owner, error)
            }
        }
    }
}
