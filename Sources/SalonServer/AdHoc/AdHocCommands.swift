import Foundation
import Synchronization
import XMPPCore

/// One XEP-0050 command. `run` gets the submitted form (nil on the first call) and answers
/// with the next form or the final result.
protocol AdHocCommand: Sendable {
    var node: String { get }
    var name: String { get }
    func mayRun(_ user: String) -> Bool
    func run(form: DataForm?, user: String) async -> AdHocStep
}

enum AdHocStep: Sendable {
    /// Ask for (more) input.
    case form(DataForm)
    /// Done: a result form and/or a note.
    case completed(DataForm?, note: String?)
    /// Refused: an error note (XEP-0050 §4.5) with the stanza error.
    case failed(StanzaError)
}

/// XEP-0050 ad-hoc commands on one JID: discovery of the commands a requester may run, and
/// sessions across stages (prev/next/complete/cancel), which expire after ten idle minutes.
final class AdHocCommands: Sendable {
    static let ns = "http://jabber.org/protocol/commands"
    static let sessionLifetime: TimeInterval = 600

    let jid: String
    private let registered = Mutex<[any AdHocCommand]>([])
    private let sessions = Mutex<[String: (node: String, user: String, touched: Date)]>([:])

    init(jid: String) {
        self.jid = jid
    }

    /// Adds commands (services register theirs once they exist).
    func register(_ commands: [any AdHocCommand]) {
        registered.withLock { $0.append(contentsOf: commands) }
    }

    var commands: [any AdHocCommand] { registered.withLock { $0 } }

    /// disco#items for the commands node: only what `user` may run.
    func items(for user: String) -> XMLElement {
        var query = XMLElement("query", namespace: NS.discoItems, attributes: ["node": Self.ns])
        for command in commands where command.mayRun(user) {
            query.append(XMLElement("item", namespace: NS.discoItems, attributes: ["jid": jid, "node": command.node, "name": command.name]))
        }
        return query
    }

    /// Handles `<command/>`; returns the reply payload or an error.
    func handle(_ request: XMLElement, user: String) async -> Result<XMLElement, StanzaError> {
        guard let node = request[attribute: "node"], let command = commands.first(where: { $0.node == node }) else {
            return .failure(StanzaError(.itemNotFound, text: "There is no such command."))
        }
        guard command.mayRun(user) else { return .failure(StanzaError(.forbidden, text: "You may not run \(command.name).")) }
        let action = request[attribute: "action"] ?? "execute"
        let sessionID: String
        if let existing = request[attribute: "sessionid"] {
            guard resume(existing, node: node, user: user) else {
                return .failure(StanzaError(.notAllowed, text: "That command session has expired or does not exist."))
            }
            sessionID = existing
        } else {
            sessionID = UUID().uuidString
            open(sessionID, node: node, user: user)
        }
        if action == "cancel" {
            close(sessionID)
            return .success(XMLElement("command", namespace: Self.ns, attributes: ["node": node, "sessionid": sessionID, "status": "canceled"]))
        }
        let form = request.child("x", namespace: DataForm.namespace).flatMap(DataForm.init)
        let submitted = form?.type == .submit ? form : nil
        switch await command.run(form: action == "prev" ? nil : submitted, user: user) {
        case .form(let next):
            var reply = XMLElement("command", namespace: Self.ns, attributes: ["node": node, "sessionid": sessionID, "status": "executing"])
            reply.append(XMLElement("actions", namespace: Self.ns, attributes: ["execute": "complete"],
                                    children: [.element(XMLElement("complete", namespace: Self.ns))]))
            reply.append(next.element)
            return .success(reply)
        case .completed(let result, let note):
            close(sessionID)
            var reply = XMLElement("command", namespace: Self.ns, attributes: ["node": node, "sessionid": sessionID, "status": "completed"])
            if let note { reply.append(.text("note", namespace: Self.ns, note).withAttribute("type", "info")) }
            if let result { reply.append(result.element) }
            return .success(reply)
        case .failed(let error):
            close(sessionID)
            return .failure(error)
        }
    }

    private func open(_ id: String, node: String, user: String) {
        sessions.withLock { sessions in
            let now = Date()
            sessions = sessions.filter { now.timeIntervalSince($0.value.touched) < Self.sessionLifetime }
            sessions[id] = (node, user, now)
        }
    }

    private func resume(_ id: String, node: String, user: String) -> Bool {
        sessions.withLock { sessions in
            guard let session = sessions[id], session.node == node, session.user == user,
                  Date().timeIntervalSince(session.touched) < Self.sessionLifetime else { return false }
            sessions[id]?.touched = Date()
            return true
        }
    }

    private func close(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }
}

extension XMLElement {
    func withAttribute(_ name: String, _ value: String) -> XMLElement {
        var copy = self
        copy[attribute: name] = value
        return copy
    }
}
