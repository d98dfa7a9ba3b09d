import Foundation
import SalonClient
import Testing
import XMPPCore

let commandsNS = "http://jabber.org/protocol/commands"

/// The outcome of running an ad-hoc command to its end.
struct CommandOutcome {
    /// The last `<command/>` (nil when the service answered with an iq error).
    let command: XMLElement?
    /// The iq error condition, if any.
    let error: String?

    var status: String? { command?[attribute: "status"] }
    var note: (type: String, text: String)? {
        command?.child("note", namespace: commandsNS).map { ($0[attribute: "type"] ?? "info", $0.text) }
    }
    var form: DataForm? { command?.child("x", namespace: DataForm.namespace).flatMap(DataForm.init) }
    var succeeded: Bool { status == "completed" && note?.type != "error" }
    /// Table results: one dictionary per row.
    var rows: [[String: String]] {
        form?.items.map { Dictionary($0.compactMap { field in field.variable.map { ($0, field.value ?? "") } }, uniquingKeysWith: { $1 }) } ?? []
    }
}

extension XMPPClient {
    /// The command nodes `jid` lists for this user.
    func commandNodes(at jid: String = chatDomain) async throws -> [String] {
        let items = try await request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": jid], children: [
            .element(XMLElement("query", namespace: NS.discoItems, attributes: ["node": commandsNS])),
        ]))
        return items.child("query", namespace: NS.discoItems)?.elements.compactMap { $0[attribute: "node"] } ?? []
    }

    /// Executes `node`, then submits one form per stage with the given values (fields not named
    /// keep the values the service offered), completing on the last.
    func runCommand(_ node: String, at jid: String = chatDomain, _ stages: [[String: [String]]] = []) async throws -> CommandOutcome {
        var reply = try await commandIQ(jid, XMLElement("command", namespace: commandsNS, attributes: ["node": node, "action": "execute"]))
        for (index, values) in stages.enumerated() {
            guard let command = reply.child("command", namespace: commandsNS), command[attribute: "status"] == "executing",
                  let session = command[attribute: "sessionid"],
                  let offered = command.child("x", namespace: DataForm.namespace).flatMap(DataForm.init) else { break }
            var submitted = DataForm(type: .submit)
            submitted.fields = offered.fields.compactMap { field in
                guard let variable = field.variable, field.type != "fixed" else { return nil }
                return DataForm.Field(variable, values: values[variable] ?? field.values)
            }
            let action = index == stages.count - 1 ? "complete" : "next"
            reply = try await commandIQ(jid, XMLElement("command", namespace: commandsNS, attributes: ["node": node, "sessionid": session, "action": action],
                                                       children: [.element(submitted.element)]))
        }
        if reply[attribute: "type"] == "error" { return CommandOutcome(command: nil, error: errorCondition(reply)) }
        return CommandOutcome(command: reply.child("command", namespace: commandsNS), error: nil)
    }

    func commandIQ(_ jid: String, _ command: XMLElement) async throws -> XMLElement {
        try await request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set", "to": jid], children: [.element(command)]))
    }
}
