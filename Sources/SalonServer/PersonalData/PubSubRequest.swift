import XMPPCore

/// One XEP-0060 request to an account's PEP service, parsed and bounded; anything malformed
/// is refused with the error XEP-0060 names for it.
enum PubSubRequest: Sendable {
    case publish(node: String, itemID: String?, payload: XMLElement, options: DataForm?)
    case retract(node: String, itemIDs: [String], notify: Bool)
    case items(node: String, itemIDs: [String]?, max: Int?)
    case create(node: String, config: DataForm?)
    case subscribe(node: String, jid: JID)
    case unsubscribe(node: String, jid: JID)
    case configure(node: String, form: DataForm?)
    case defaultConfig
    case delete(node: String)
    case purge(node: String)
    /// The requester's own subscriptions and affiliations (§5.6, §5.7), on one node or all.
    case subscriptions(node: String?)
    case affiliations(node: String?)
    /// The owner's view of a node's subscriptions and affiliations (§8.8, §8.9); with changes, a set.
    case nodeSubscriptions(node: String, changes: [(jid: JID, state: String)]?)
    case nodeAffiliations(node: String, changes: [(jid: JID, state: String)]?)

    /// What an owner may give in `<affiliations/>` and `<subscriptions/>` (the rest of XEP-0060's
    /// values mean nothing on a personal node: only the owner publishes, nothing is pending).
    static let settableAffiliations: Set = ["member", "outcast", "none"]
    static let settableSubscriptions: Set = ["subscribed", "none"]

    /// Whether only the account itself may make this request.
    var ownerOnly: Bool {
        switch self {
        case .items, .subscribe, .unsubscribe, .subscriptions, .affiliations: false
        default: true
        }
    }

    static func parse(_ iq: Stanza, payload: XMLElement) throws(StanzaError) -> PubSubRequest {
        switch (payload.namespace, iq.type) {
        case (PubSub.ns, "set"): try parseSet(payload)
        case (PubSub.ns, "get"): try parseGet(payload)
        case (PubSub.owner, _): try parseOwner(payload, set: iq.type == "set")
        default: throw StanzaError(.badRequest)
        }
    }

    private static func parseSet(_ pubsub: XMLElement) throws(StanzaError) -> PubSubRequest {
        let verbs = pubsub.elements.filter { !["publish-options", "configure", "options"].contains($0.name) }
        guard verbs.count == 1, let verb = verbs.first else { throw StanzaError(.badRequest, text: "One pubsub action per request.") }
        switch verb.name {
        case "publish":
            let node = try nodeName(verb)
            let items = verb.children("item", namespace: PubSub.ns)
            guard items.count == 1, let item = items.first else {
                throw PubSub.error(.badRequest, items.isEmpty ? "item-required" : "invalid-payload", text: "Publish exactly one item.")
            }
            let payloads = item.elements
            guard payloads.count == 1, let payload = payloads.first else {
                throw PubSub.error(.badRequest, payloads.isEmpty ? "payload-required" : "invalid-payload", text: "An item carries exactly one payload.")
            }
            let id = try item[attribute: "id"].map { id throws(StanzaError) in try identifier(id, "item id") }
            let options = try form(pubsub.child("publish-options", namespace: PubSub.ns))
            return .publish(node: node, itemID: id?.isEmpty == true ? nil : id, payload: payload, options: options)
        case "retract":
            let node = try nodeName(verb)
            var ids: [String] = []
            for item in verb.children("item", namespace: PubSub.ns) {
                guard let id = item[attribute: "id"], !id.isEmpty else { throw PubSub.error(.badRequest, "item-required") }
                ids.append(try identifier(id, "item id"))
            }
            guard !ids.isEmpty else { throw PubSub.error(.badRequest, "item-required", text: "Name the item to retract.") }
            guard ids.count <= PersonalDataLimits.maxRequestedItems else { throw StanzaError(.policyViolation, text: "Too many items.") }
            let notify = ["1", "true"].contains(verb[attribute: "notify"] ?? "")
            return .retract(node: node, itemIDs: ids, notify: notify)
        case "create":
            let config = try form(pubsub.child("configure", namespace: PubSub.ns))
            guard let node = verb[attribute: "node"], !node.isEmpty else {
                throw PubSub.error(.notAcceptable, "nodeid-required", text: "PEP nodes are named by their namespace.")
            }
            return .create(node: try identifier(node, "node"), config: config)
        case "subscribe":
            return .subscribe(node: try nodeName(verb), jid: try subscriberJID(verb))
        case "unsubscribe":
            return .unsubscribe(node: try nodeName(verb), jid: try subscriberJID(verb))
        default:
            throw PubSub.error(.featureNotImplemented, "unsupported", text: "\(verb.name) is not supported.")
        }
    }

    private static func parseGet(_ pubsub: XMLElement) throws(StanzaError) -> PubSubRequest {
        guard pubsub.elements.count == 1, let verb = pubsub.elements.first else { throw StanzaError(.badRequest) }
        switch verb.name {
        case "items":
            let node = try nodeName(verb)
            var ids: [String] = []
            for item in verb.children("item", namespace: PubSub.ns) {
                if let id = item[attribute: "id"] { ids.append(try identifier(id, "item id")) }
            }
            guard ids.count <= PersonalDataLimits.maxRequestedItems else { throw StanzaError(.policyViolation, text: "Too many items.") }
            var max: Int?
            if let text = verb[attribute: "max_items"] {
                guard let value = Int(text), value > 0 else { throw StanzaError(.badRequest, text: "max_items is a positive integer.") }
                max = value
            }
            return .items(node: node, itemIDs: ids.isEmpty ? nil : ids, max: max)
        case "subscriptions":
            return .subscriptions(node: try verb[attribute: "node"].map { node throws(StanzaError) in try identifier(node, "node") })
        case "affiliations":
            return .affiliations(node: try verb[attribute: "node"].map { node throws(StanzaError) in try identifier(node, "node") })
        default:
            throw PubSub.error(.featureNotImplemented, "unsupported", text: "\(verb.name) is not supported.")
        }
    }

    private static func parseOwner(_ pubsub: XMLElement, set: Bool) throws(StanzaError) -> PubSubRequest {
        guard pubsub.elements.count == 1, let verb = pubsub.elements.first else { throw StanzaError(.badRequest) }
        switch (verb.name, set) {
        case ("configure", false):
            return .configure(node: try nodeName(verb), form: nil)
        case ("configure", true):
            guard let x = verb.child("x", namespace: DataForm.namespace), let form = DataForm(x) else {
                throw StanzaError(.badRequest, text: "Submit the configuration form.")
            }
            return .configure(node: try nodeName(verb), form: form)
        case ("default", false):
            return .defaultConfig
        case ("delete", true):
            return .delete(node: try nodeName(verb))
        case ("purge", true):
            return .purge(node: try nodeName(verb))
        case ("subscriptions", _):
            let changes = set ? try entries(verb, "subscription", attribute: "subscription", allowed: settableSubscriptions) : nil
            return .nodeSubscriptions(node: try nodeName(verb), changes: changes)
        case ("affiliations", _):
            let changes = set ? try entries(verb, "affiliation", attribute: "affiliation", allowed: settableAffiliations) : nil
            return .nodeAffiliations(node: try nodeName(verb), changes: changes)
        default:
            throw PubSub.error(.featureNotImplemented, "unsupported", text: "\(verb.name) is not supported.")
        }
    }

    /// The `<subscription/>` or `<affiliation/>` entries of an owner's set, each a JID and a
    /// value from `allowed`.
    private static func entries(_ verb: XMLElement, _ name: String, attribute: String,
                                allowed: Set<String>) throws(StanzaError) -> [(jid: JID, state: String)] {
        let elements = verb.children(name, namespace: PubSub.owner)
        guard !elements.isEmpty else { throw StanzaError(.badRequest, text: "Name at least one \(name).") }
        guard elements.count <= PersonalDataLimits.maxRequestedItems else { throw StanzaError(.policyViolation, text: "Too many entries.") }
        var entries: [(jid: JID, state: String)] = []
        for element in elements {
            guard let text = element[attribute: "jid"], let jid = try? JID(text) else { throw StanzaError(.jidMalformed) }
            guard let state = element[attribute: attribute], allowed.contains(state) else {
                throw StanzaError(.notAcceptable, text: "\(attribute) is one of \(allowed.sorted().joined(separator: ", ")) on a personal node.")
            }
            entries.append((jid: jid, state: state))
        }
        return entries
    }

    private static func nodeName(_ verb: XMLElement) throws(StanzaError) -> String {
        guard let node = verb[attribute: "node"], !node.isEmpty else {
            throw PubSub.error(.badRequest, "nodeid-required", text: "Name the node.")
        }
        return try identifier(node, "node")
    }

    private static func identifier(_ value: String, _ what: String) throws(StanzaError) -> String {
        guard value.utf8.count <= PersonalDataLimits.maxIdentifierBytes else {
            throw StanzaError(.notAcceptable, text: "That \(what) is longer than \(PersonalDataLimits.maxIdentifierBytes) bytes.")
        }
        return value
    }

    private static func form(_ wrapper: XMLElement?) throws(StanzaError) -> DataForm? {
        guard let wrapper, let x = wrapper.child("x", namespace: DataForm.namespace) else { return nil }
        guard let form = DataForm(x) else { throw StanzaError(.badRequest, text: "The options are not a data form.") }
        return form
    }

    private static func subscriberJID(_ verb: XMLElement) throws(StanzaError) -> JID {
        guard let text = verb[attribute: "jid"] else { throw PubSub.error(.badRequest, "jid-required") }
        guard let jid = try? JID(text) else { throw StanzaError(.jidMalformed) }
        return jid
    }
}
