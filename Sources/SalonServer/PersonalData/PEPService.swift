import Logging
import SalonStore
import Synchronization
import XMPPCore

/// Told of what a client changed in its own PEP nodes (not of the server's own writes), after
/// the change: XEP-0398 avatar conversion (`VCardService+Avatars.swift`).
protocol PEPChangeObserver: AnyObject, Sendable {
    func published(node: String, payload: XMLElement, owner: JID) async
    /// Items were retracted, or the node purged or deleted.
    func removed(node: String, owner: JID) async
}

/// XEP-0163 personal eventing: every account is a pubsub service (a XEP-0060 subset) whose
/// nodes are created on first publish. Storage is SalonStore's `PEPStore`; notifications go
/// through `PEPNotifier`; bookmark nodes are kept in sync by `BookmarkSync`.
final class PEPService: Sendable {
    let domain: String
    let database: any StoreBackend
    let sessions: SessionRegistry
    let caps: CapsCache
    let logger: Logger
    unowned let router: Router
    let notifier: PEPNotifier
    /// Held weakly: the observer (vCards) holds this service, and the context owns both.
    private let observer = Mutex(WeakObserver())

    private struct WeakObserver: @unchecked Sendable {
        weak var value: (any PEPChangeObserver)?
    }
    /// Private storage and PEP bounds per account (`limits.pep_*`, `limits.private_storage_*`).
    let limits: PersonalDataLimits

    init(domain: String, database: any StoreBackend, sessions: SessionRegistry, router: Router, limits: PersonalDataLimits, logger: Logger) {
        self.limits = limits
        self.domain = domain
        self.database = database
        self.sessions = sessions
        self.router = router
        self.logger = logger
        caps = CapsCache(queries: router.queries, domain: domain) { [unowned router] in _ = router.route($0) }
        notifier = PEPNotifier(sessions: sessions, caps: caps, database: database) { [unowned router] in router.cluster }
    }

    var bookmarks: BookmarkSync { BookmarkSync(pep: self) }

    /// Sets who is told of clients' changes (once, while the server is put together).
    func observeChanges(_ observer: any PEPChangeObserver) {
        self.observer.withLock { $0.value = observer }
    }

    private var changeObserver: (any PEPChangeObserver)? { observer.withLock { $0.value } }

    /// A pubsub or pubsub#owner iq to `owner`'s bare JID from `requester`.
    func handle(_ iq: Stanza, payload: XMLElement, owner: JID, requester: JID) -> RoutingFollowup? {
        let request: PubSubRequest
        do throws(StanzaError) {
            request = try PubSubRequest.parse(iq, payload: payload)
            if request.ownerOnly, requester.bare != owner {
                throw StanzaError(.forbidden, text: "Only the account itself changes its PEP nodes.")
            }
        } catch {
            refuse(iq, owner: owner, error)
            return nil
        }
        return { [self] in
            do throws(StanzaError) {
                router.send(iq.resultReply(try await perform(request, owner: owner, requester: requester)), as: owner)
            } catch {
                refuse(iq, owner: owner, error)
            }
        }
    }

    private func perform(_ request: PubSubRequest, owner: JID, requester: JID) async throws(StanzaError) -> XMLElement? {
        switch request {
        case let .publish(node, itemID, payload, options):
            let id = try await publish(owner: owner, node: node, itemID: itemID, payload: payload, options: options)
            await bookmarks.published(node: node, payload: payload, owner: owner)
            await changeObserver?.published(node: node, payload: payload, owner: owner)
            return XMLElement("pubsub", namespace: PubSub.ns, children: [.element(
                XMLElement("publish", namespace: PubSub.ns, attributes: ["node": node], children: [
                    .element(XMLElement("item", namespace: PubSub.ns, attributes: ["id": id])),
                ]))])
        case let .retract(node, ids, notify):
            try await retract(owner: owner, node: node, itemIDs: ids, notify: notify)
            await bookmarks.retracted(node: node, owner: owner)
            await changeObserver?.removed(node: node, owner: owner)
            return nil
        case let .items(node, ids, max):
            return try await items(owner: owner, node: node, ids: ids, max: max, requester: requester)
        case let .create(node, config):
            try await create(owner: owner, node: node, config: config)
            return nil
        case let .subscribe(node, jid):
            return try await subscribe(owner: owner, node: node, jid: jid, requester: requester)
        case let .unsubscribe(node, jid):
            try await unsubscribe(owner: owner, node: node, jid: jid, requester: requester)
            return nil
        case let .configure(node, form):
            return try await configure(owner: owner, node: node, form: form)
        case .defaultConfig:
            return XMLElement("pubsub", namespace: PubSub.owner, children: [.element(
                XMLElement("default", namespace: PubSub.owner, children: [.element(PEPNodeOptions.form(PEPNodeOptions.defaults, maxItemsPerNode: limits.pepItemsPerNode).element)]))])
        case let .delete(node):
            try await delete(owner: owner, node: node)
            await bookmarks.retracted(node: node, owner: owner)
            await changeObserver?.removed(node: node, owner: owner)
            return nil
        case let .purge(node):
            try await purge(owner: owner, node: node)
            await bookmarks.retracted(node: node, owner: owner)
            await changeObserver?.removed(node: node, owner: owner)
            return nil
        case let .subscriptions(node):
            return try await subscriptions(owner: owner, node: node, requester: requester)
        case let .affiliations(node):
            return try await affiliations(owner: owner, node: node, requester: requester)
        case let .nodeSubscriptions(node, changes):
            return try await nodeSubscriptions(owner: owner, node: node, changes: changes)
        case let .nodeAffiliations(node, changes):
            return try await nodeAffiliations(owner: owner, node: node, changes: changes)
        }
    }

    // MARK: Publishing

    /// Publishes one item (the node made on first use, XEP-0163 §3) and notifies; returns the
    /// item id (generated when not given).
    func publish(owner: JID, node: String, itemID: String?, payload: XMLElement, options: DataForm?) async throws(StanzaError) -> String {
        let serialized = payload.serialized()
        let limits = limits.pep
        let maxItemsPerNode = limits.maxItemsPerNode
        guard serialized.utf8.count <= limits.maxItemBytes else {
            throw PubSub.error(.notAcceptable, "payload-too-big", text: "An item holds at most \(limits.maxItemBytes) bytes.")
        }
        let id = itemID ?? Self.newItemID()
        let newConfig = try options.map { form throws(StanzaError) in try PEPNodeOptions.apply(form, to: PEPNodeOptions.defaults, maxItemsPerNode: maxItemsPerNode) }
            ?? PEPNodeOptions.defaults
        let outcome: PEPPublishOutcome
        do {
            outcome = try await database.pep.publish(
                owner: owner.description, node: node, item: PEPItem(id: id, payload: serialized, publisher: owner.description),
                newConfig: newConfig, limits: limits, accepts: { current in options.map { PEPNodeOptions.meets($0, current, maxItemsPerNode: maxItemsPerNode) } ?? true })
        } catch {
            throw storeFailure(error, owner: owner, doing: "publish")
        }
        switch outcome {
        case .refused:
            throw PubSub.error(.conflict, "precondition-not-met", text: "The node's configuration differs from the publish options.")
        case let .published(stored, created):
            if created { logger.info("pep node created", metadata: ["account": "\(owner)", "node": "\(node)"]) }
            let subscribers = (try? await database.pep.subscribers(owner: owner.description, node: node)) ?? []
            await notifier.notify(owner: owner, node: stored, subscribers: subscribers, event: PEPNotifier.items(node, [(id, payload)]))
        }
        return id
    }

    /// Publishes a copy the server makes for the owner with `options`, or without them when the
    /// owner's client made the node otherwise (the client's choice stays).
    func publish(owner: JID, node: String, itemID: String, payload: XMLElement, preferring options: DataForm) async throws(StanzaError) {
        do {
            _ = try await publish(owner: owner, node: node, itemID: itemID, payload: payload, options: options)
        } catch where error.applicationCondition?.name == "precondition-not-met" {
            _ = try await publish(owner: owner, node: node, itemID: itemID, payload: payload, options: nil)
        }
    }

    func retract(owner: JID, node: String, itemIDs: [String], notify: Bool) async throws(StanzaError) {
        let stored = try await existingNode(owner: owner, node: node)
        var removed: [String] = []
        do {
            for id in itemIDs where try await database.pep.retract(owner: owner.description, node: node, itemID: id) {
                removed.append(id)
            }
        } catch {
            throw storeFailure(error, owner: owner, doing: "retract")
        }
        guard !removed.isEmpty else { throw StanzaError(.itemNotFound, text: "No such item.") }
        guard notify else { return }
        let subscribers = (try? await database.pep.subscribers(owner: owner.description, node: node)) ?? []
        let retracts = XMLElement("items", namespace: PubSub.event, attributes: ["node": node], children: removed.map {
            .element(XMLElement("retract", namespace: PubSub.event, attributes: ["id": $0]))
        })
        await notifier.notify(owner: owner, node: stored, subscribers: subscribers, event: retracts)
    }

    private func items(owner: JID, node: String, ids: [String]?, max: Int?, requester: JID) async throws(StanzaError) -> XMLElement {
        let stored = try await existingNode(owner: owner, node: node)
        if let refusal = await readRefusal(stored, owner: owner, requester: requester) { throw refusal }
        let items: [PEPItem]
        do {
            items = try await database.pep.items(owner: owner.description, node: node, ids: ids, max: max)
        } catch {
            throw storeFailure(error, owner: owner, doing: "items")
        }
        var kept: [PEPItem] = []
        var bytes = 0
        for item in items.reversed() {
            bytes += item.payload.utf8.count
            if !kept.isEmpty, bytes > limits.pepItemsReplyBytes { break }
            kept.append(item)
        }
        kept.reverse()
        let entries = kept.map { (id: $0.id, payload: Self.parse($0.payload)) }
        var pubsub = XMLElement("pubsub", namespace: PubSub.ns, children: [.element(PEPNotifier.items(node, entries, namespace: PubSub.ns))])
        if kept.count < items.count {
            pubsub.append(ResultSetPage(first: kept.first?.id, firstIndex: items.count - kept.count, last: kept.last?.id,
                                        count: items.count).element)
        }
        return pubsub
    }

    // MARK: Helpers

    /// Why `requester` may not read a node of `owner` (XEP-0060 §6.5.9), or nil: an outcast
    /// reads nothing, a member reads a whitelist node.
    func readRefusal(_ node: PEPNode, owner: JID, requester: JID) async -> StanzaError? {
        if requester.bare == owner { return nil }
        let affiliation = try? await database.pep.affiliation(owner: owner.description, node: node.name, jid: requester.bare.description)
        if affiliation == "outcast" { return StanzaError(.forbidden, text: "The owner has blocked you from this node.") }
        switch node.config.accessModel {
        case "open":
            return nil
        case "presence":
            let item = try? await database.rosters.item(owner: owner.description, jid: requester.bare.description)
            if let item, item.subscription == "from" || item.subscription == "both" { return nil }
            return PubSub.error(.notAuthorized, "presence-subscription-required")
        default:
            return affiliation == "member" ? nil : PubSub.error(.notAllowed, "closed-node")
        }
    }

    func existingNode(owner: JID, node: String) async throws(StanzaError) -> PEPNode {
        let stored: PEPNode?
        do {
            stored = try await database.pep.node(owner: owner.description, node: node)
        } catch {
            throw storeFailure(error, owner: owner, doing: "read node")
        }
        guard let stored else { throw StanzaError(.itemNotFound, text: "No such node.") }
        return stored
    }

    /// A store failure as the requester sees it: a limit is named, anything else logged.
    func storeFailure(_ error: any Error, owner: JID, doing: String) -> StanzaError {
        if let error = error as? StoreError, error == .limitReached {
            logger.notice("pep limit reached", metadata: ["account": "\(owner)", "cause": "\(error.message)"])
            return StanzaError(.policyViolation, text: "Your PEP storage is full: \(error.message).")
        }
        logger.storageFailure("pep storage failed", error, metadata: ["account": "\(owner)", "operation": "\(doing)"])
        return StanzaError(.internalServerError)
    }

    static func parse(_ payload: String) -> XMLElement? {
        try? XMLStreamParser.parseStanza(payload, namespace: "")
    }

    static func newItemID() -> String {
        (0 ..< 2).map { _ in String(UInt64.random(in: 0 ... .max), radix: 16) }.joined(separator: "-")
    }

    func refuse(_ iq: Stanza, owner: JID, _ error: StanzaError) {
        router.bounce(iq, error, target: owner)
    }
}
