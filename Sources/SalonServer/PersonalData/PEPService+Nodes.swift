import SalonStore
import XMPPCore

/// Node management by the owner (XEP-0060 §8: create, configure, delete, purge) and explicit
/// subscriptions by anyone who may read the node (§6.1, §6.2).
extension PEPService {
    func create(owner: JID, node: String, config: DataForm?) async throws(StanzaError) {
        let settings = try config.map { form throws(StanzaError) in try PEPNodeOptions.apply(form, to: PEPNodeOptions.defaults, maxItemsPerNode: limits.pepItemsPerNode) }
            ?? PEPNodeOptions.defaults
        let created: Bool
        do {
            created = try await database.pep.create(owner: owner.description, node: PEPNode(name: node, config: settings),
                                                    limits: limits.pep)
        } catch {
            throw storeFailure(error, owner: owner, doing: "create")
        }
        guard created else { throw StanzaError(.conflict, text: "That node exists.") }
        logger.info("pep node created", metadata: ["account": "\(owner)", "node": "\(node)"])
    }

    func configure(owner: JID, node: String, form: DataForm?) async throws(StanzaError) -> XMLElement? {
        let stored = try await existingNode(owner: owner, node: node)
        guard let form else {
            return XMLElement("pubsub", namespace: PubSub.owner, children: [.element(
                XMLElement("configure", namespace: PubSub.owner, attributes: ["node": node],
                           children: [.element(PEPNodeOptions.form(stored.config, maxItemsPerNode: limits.pepItemsPerNode).element)]))])
        }
        guard form.type != .cancel else { return nil }
        guard form.type == .submit, form.formType == nil || form.formType == PubSub.nodeConfig else {
            throw StanzaError(.badRequest, text: "Submit a \(PubSub.nodeConfig) form.")
        }
        let config = try PEPNodeOptions.apply(form, to: stored.config, maxItemsPerNode: limits.pepItemsPerNode)
        do {
            _ = try await database.pep.configure(owner: owner.description, node: PEPNode(name: node, config: config),
                                                 limits: limits.pep)
        } catch {
            throw storeFailure(error, owner: owner, doing: "configure")
        }
        return nil
    }

    func delete(owner: JID, node: String) async throws(StanzaError) {
        let stored = try await existingNode(owner: owner, node: node)
        // Subscriptions go with the node: read them first.
        let subscribers = (try? await database.pep.subscribers(owner: owner.description, node: node)) ?? []
        do {
            guard try await database.pep.delete(owner: owner.description, node: node) else { throw StanzaError(.itemNotFound) }
        } catch let error as StanzaError {
            throw error
        } catch {
            throw storeFailure(error, owner: owner, doing: "delete")
        }
        logger.info("pep node deleted", metadata: ["account": "\(owner)", "node": "\(node)"])
        await notifier.notify(owner: owner, node: stored, subscribers: subscribers,
                              event: XMLElement("delete", namespace: PubSub.event, attributes: ["node": node]))
    }

    func purge(owner: JID, node: String) async throws(StanzaError) {
        let stored = try await existingNode(owner: owner, node: node)
        do {
            _ = try await database.pep.purge(owner: owner.description, node: node)
        } catch {
            throw storeFailure(error, owner: owner, doing: "purge")
        }
        let subscribers = (try? await database.pep.subscribers(owner: owner.description, node: node)) ?? []
        await notifier.notify(owner: owner, node: stored, subscribers: subscribers,
                              event: XMLElement("purge", namespace: PubSub.event, attributes: ["node": node]))
    }

    /// Subscribes the requester (its bare or full JID) and sends the node's last item.
    func subscribe(owner: JID, node: String, jid: JID, requester: JID) async throws(StanzaError) -> XMLElement {
        guard jid.bare == requester.bare else { throw PubSub.error(.badRequest, "invalid-jid", text: "Subscribe your own JID.") }
        let stored = try await existingNode(owner: owner, node: node)
        if let refusal = await readRefusal(stored, owner: owner, requester: requester) { throw refusal }
        do {
            _ = try await database.pep.subscribe(owner: owner.description, node: node, jid: jid.description,
                                                 maxSubscribers: limits.pepSubscribersPerNode)
        } catch {
            throw storeFailure(error, owner: owner, doing: "subscribe")
        }
        if stored.config.sendLastPublishedItem != "never",
           let last = try? await database.pep.items(owner: owner.description, node: node, max: 1).last {
            let targets = jid.resourcepart == nil ? sessions.resources(of: jid).filter(\.available).map(\.session)
                : sessions.sessions([jid]).compactMap { $0 }
            notifier.deliver(PEPNotifier.items(node, [(last.id, Self.parse(last.payload))]), from: owner, to: targets)
        }
        return XMLElement("pubsub", namespace: PubSub.ns, children: [.element(XMLElement("subscription", namespace: PubSub.ns, attributes: [
            "node": node, "jid": jid.description, "subscription": "subscribed",
        ]))])
    }

    func unsubscribe(owner: JID, node: String, jid: JID, requester: JID) async throws(StanzaError) {
        guard jid.bare == requester.bare else { throw PubSub.error(.badRequest, "invalid-jid", text: "Unsubscribe your own JID.") }
        _ = try await existingNode(owner: owner, node: node)
        let removed: Bool
        do {
            removed = try await database.pep.unsubscribe(owner: owner.description, node: node, jid: jid.description)
        } catch {
            throw storeFailure(error, owner: owner, doing: "unsubscribe")
        }
        guard removed else { throw PubSub.error(.unexpectedRequest, "not-subscribed") }
    }
}
