import SalonStore
import XMPPCore

/// Node configuration as data forms (XEP-0060 §8.2) and the publish-options preconditions
/// (§7.1.5), for the options the PEP service supports.
enum PEPNodeOptions {
    static let accessModels = ["presence", "open", "whitelist"]
    static let sendLastValues = ["never", "on_sub", "on_sub_and_presence"]

    /// XEP-0163 §5 defaults, with one item kept.
    static let defaults = PEPNodeConfig(accessModel: "presence", maxItems: 1, persistItems: true,
                                        sendLastPublishedItem: "on_sub_and_presence")

    /// `base` with the fields of `form` applied; unknown fields are ignored, bad values refused.
    static func apply(_ form: DataForm, to base: PEPNodeConfig, maxItemsPerNode: Int) throws(StanzaError) -> PEPNodeConfig {
        var config = base
        for field in form.fields {
            guard let variable = field.variable, let value = field.values.first else { continue }
            switch variable {
            case "pubsub#access_model":
                guard accessModels.contains(value) else {
                    throw PubSub.error(.notAcceptable, "unsupported-access-model", text: "Access models: \(accessModels.joined(separator: ", ")).")
                }
                config.accessModel = value
            case "pubsub#max_items":
                config.maxItems = try maxItems(value, limit: maxItemsPerNode)
            case "pubsub#persist_items":
                guard let flag = flag(value) else { throw StanzaError(.notAcceptable, text: "pubsub#persist_items is a boolean.") }
                config.persistItems = flag
            case "pubsub#send_last_published_item":
                guard sendLastValues.contains(value) else {
                    throw StanzaError(.notAcceptable, text: "pubsub#send_last_published_item: \(sendLastValues.joined(separator: ", ")).")
                }
                config.sendLastPublishedItem = value
            default:
                continue
            }
        }
        return config
    }

    /// Whether an existing node's configuration meets publish-options: every supported
    /// option given must have the value the node has.
    static func meets(_ options: DataForm, _ config: PEPNodeConfig, maxItemsPerNode: Int) -> Bool {
        guard let wanted = try? apply(options, to: config, maxItemsPerNode: maxItemsPerNode) else { return false }
        return wanted == config
    }

    /// `max` is the most the service keeps; larger numbers are lowered to it.
    private static func maxItems(_ value: String, limit: Int) throws(StanzaError) -> Int {
        if value == "max" { return limit }
        guard let number = Int(value), number >= 1 else {
            throw StanzaError(.notAcceptable, text: "pubsub#max_items is a positive number or max.")
        }
        return min(number, limit)
    }

    private static func flag(_ value: String) -> Bool? {
        switch value {
        case "1", "true": true
        case "0", "false": false
        default: nil
        }
    }

    /// The configuration form of a node (owner configure get, default get).
    static func form(_ config: PEPNodeConfig, maxItemsPerNode: Int) -> DataForm {
        DataForm(type: .form, formType: PubSub.nodeConfig, fields: [
            DataForm.Field("pubsub#access_model", type: "list-single", label: "Who may subscribe and retrieve items",
                           values: [config.accessModel], options: accessModels.map { (label: nil, value: $0) }),
            DataForm.Field("pubsub#max_items", type: "text-single", label: "Items to keep (at most \(maxItemsPerNode))",
                           values: ["\(config.maxItems)"]),
            DataForm.Field("pubsub#persist_items", type: "boolean", label: "Keep items", values: [config.persistItems ? "1" : "0"]),
            DataForm.Field("pubsub#send_last_published_item", type: "list-single", label: "When to send the last item",
                           values: [config.sendLastPublishedItem], options: sendLastValues.map { (label: nil, value: $0) }),
        ])
    }
}
