import SalonStore
import XMPPCore

/// Subscriptions and affiliations (XEP-0060 §5.6, §5.7, §8.8, §8.9) on personal nodes: anyone
/// lists their own; the owner lists and changes a node's. An owner makes contacts `member`s of
/// a whitelist node (they read it and are notified) or `outcast`s of any node (they read none).
extension PEPService {
    /// §5.6: the requester's explicit subscriptions to the owner's nodes (one node, or all).
    func subscriptions(owner: JID, node: String?, requester: JID) async throws(StanzaError) -> XMLElement {
        let rows: [(node: String, jid: String)]
        do {
            rows = try await database.pep.subscriptions(owner: owner.description, of: requester.bare.description)
        } catch {
            throw storeFailure(error, owner: owner, doing: "subscriptions")
        }
        var list = XMLElement("subscriptions", namespace: PubSub.ns, attributes: node.map { ["node": $0] } ?? [:])
        for row in rows where node == nil || row.node == node {
            list.append(XMLElement("subscription", namespace: PubSub.ns, attributes: [
                "node": row.node, "jid": row.jid, "subscription": "subscribed",
            ]))
        }
        return XMLElement("pubsub", namespace: PubSub.ns, children: [.element(list)])
    }

    /// §5.7: the requester's affiliations with the owner's nodes: `owner` of every node for the
    /// account itself, else what the owner gave.
    func affiliations(owner: JID, node: String?, requester: JID) async throws(StanzaError) -> XMLElement {
        let rows: [(node: String, affiliation: String)]
        do {
            if requester.bare == owner {
                rows = try await database.pep.nodes(owner: owner.description).map { (node: $0.name, affiliation: "owner") }
            } else {
                rows = try await database.pep.affiliations(owner: owner.description, of: requester.bare.description)
            }
        } catch {
            throw storeFailure(error, owner: owner, doing: "affiliations")
        }
        var list = XMLElement("affiliations", namespace: PubSub.ns, attributes: node.map { ["node": $0] } ?? [:])
        for row in rows where node == nil || row.node == node {
            list.append(XMLElement("affiliation", namespace: PubSub.ns, attributes: ["node": row.node, "affiliation": row.affiliation]))
        }
        return XMLElement("pubsub", namespace: PubSub.ns, children: [.element(list)])
    }

    /// §8.8: the node's subscribers, or (with changes) subscriptions the owner adds or ends.
    func nodeSubscriptions(owner: JID, node: String, changes: [(jid: JID, state: String)]?) async throws(StanzaError) -> XMLElement? {
        _ = try await existingNode(owner: owner, node: node)
        do {
            guard let changes else {
                let subscribers = try await database.pep.subscribers(owner: owner.description, node: node)
                return XMLElement("pubsub", namespace: PubSub.owner, children: [.element(
                    XMLElement("subscriptions", namespace: PubSub.owner, attributes: ["node": node], children: subscribers.map {
                        .element(XMLElement("subscription", namespace: PubSub.owner, attributes: ["jid": $0, "subscription": "subscribed"]))
                    }))])
            }
            for change in changes {
                if change.state == "none" {
                    _ = try await database.pep.unsubscribe(owner: owner.description, node: node, jid: change.jid.description)
                } else {
                    _ = try await database.pep.subscribe(owner: owner.description, node: node, jid: change.jid.description,
                                                         maxSubscribers: limits.pepSubscribersPerNode)
                }
            }
        } catch {
            throw storeFailure(error, owner: owner, doing: "subscriptions")
        }
        return nil
    }

    /// §8.9: the node's affiliations (the owner's first), or (with changes) members and outcasts
    /// the owner sets; an outcast's subscriptions to the node end.
    func nodeAffiliations(owner: JID, node: String, changes: [(jid: JID, state: String)]?) async throws(StanzaError) -> XMLElement? {
        _ = try await existingNode(owner: owner, node: node)
        do {
            guard let changes else {
                let rows = try await database.pep.affiliations(owner: owner.description, node: node) ?? []
                let all = [(jid: owner.description, affiliation: "owner")] + rows
                return XMLElement("pubsub", namespace: PubSub.owner, children: [.element(
                    XMLElement("affiliations", namespace: PubSub.owner, attributes: ["node": node], children: all.map {
                        .element(XMLElement("affiliation", namespace: PubSub.owner, attributes: ["jid": $0.jid, "affiliation": $0.affiliation]))
                    }))])
            }
            guard !changes.contains(where: { $0.jid.bare == owner }) else {
                throw StanzaError(.notAcceptable, text: "The account stays the owner of its nodes.")
            }
            let bare = changes.map { (jid: $0.jid.bare.description, affiliation: $0.state) }
            guard try await database.pep.setAffiliations(owner: owner.description, node: node, bare, limit: limits.pepSubscribersPerNode) else {
                throw StanzaError(.itemNotFound, text: "No such node.")
            }
            for outcast in bare where outcast.affiliation == "outcast" {
                for row in try await database.pep.subscriptions(owner: owner.description, of: outcast.jid) where row.node == node {
                    _ = try await database.pep.unsubscribe(owner: owner.description, node: node, jid: row.jid)
                }
            }
            logger.info("pep affiliations changed", metadata: ["account": "\(owner)", "node": "\(node)", "count": "\(changes.count)"])
        } catch let error as StanzaError {
            throw error
        } catch {
            throw storeFailure(error, owner: owner, doing: "affiliations")
        }
        return nil
    }
}
