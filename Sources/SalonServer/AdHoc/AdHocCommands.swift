import Foundation
import Logging
import PersistentChat
import Synchronization
import XMPPCore

/// XEP-0050 ad-hoc commands on one JID: discovery of what a requester may run, multi-stage
/// sessions (execute/next/prev/complete/cancel) that expire after ten idle minutes, notes for
/// results and errors. Every completed or failed run is logged with its actor.
final class AdHocCommands: Sendable {
    static let ns = "http://jabber.org/protocol/commands"
    /// Sessions idle this long expire (XEP-0050 §4.4 leaves it to the responder).
    let sessionLifetime: TimeInterval
    /// Open sessions kept per user and in all; the oldest go first.
    static let maxSessionsPerUser = 20
    static let maxSessions = 10_000

    let jid: String
    private let logger: Logger
    /// The time sessions are stamped and expire by (a test sets its own).
    private let clock: @Sendable () -> Date
    private let registered = Mutex<[AdHocCommand]>([])
    private let sessions = Mutex<[String: Session]>([:])

    private struct Session {
        let node: String
        let user: String
        var stages: [DataForm]
        var touched: Date
    }

    init(jid: String, logger: Logger, sessionLifetime: TimeInterval = 600, clock: @escaping @Sendable () -> Date = Date.init) {
        self.jid = jid
        self.logger = logger
        self.sessionLifetime = sessionLifetime
        self.clock = clock
    }

    /// Adds commands (services register theirs once they exist).
    func register(_ commands: [AdHocCommand]) {
        registered.withLock { $0.append(contentsOf: commands) }
    }

    var commands: [AdHocCommand] { registered.withLock { $0 } }

    /// disco#items for the commands node: only what `user` may run.
    func items(for user: String) -> XMLElement {
        var query = XMLElement("query", namespace: NS.discoItems, attributes: ["node": Self.ns])
        for command in commands where command.mayRun(user) {
            query.append(XMLElement("item", namespace: NS.discoItems, attributes: ["jid": jid, "node": command.node, "name": command.name]))
        }
        return query
    }

    /// disco#info on a command node (XEP-0050 §2.2).
    func info(node: String, for user: String) -> XMLElement? {
        guard let command = commands.first(where: { $0.node == node }), command.mayRun(user) else { return nil }
        var query = XMLElement("query", namespace: NS.discoInfo, attributes: ["node": node])
        query.append(XMLElement("identity", namespace: NS.discoInfo, attributes: ["category": "automation", "type": "command-node", "name": command.name]))
        for feature in [Self.ns, DataForm.namespace] {
            query.append(XMLElement("feature", namespace: NS.discoInfo, attributes: ["var": feature]))
        }
        return query
    }

    /// Handles `<command/>` from `user`; returns the reply payload or an error.
    func handle(_ request: XMLElement, user: String) async -> Result<XMLElement, StanzaError> {
        guard let node = request[attribute: "node"], let command = commands.first(where: { $0.node == node }) else {
            return .failure(StanzaError(.itemNotFound, text: "There is no such command."))
        }
        guard command.mayRun(user) else { return .failure(StanzaError(.forbidden, text: "You may not run \(command.name).")) }
        let action = request[attribute: "action"] ?? "execute"
        guard ["execute", "next", "prev", "complete", "cancel"].contains(action) else {
            return .failure(Self.error(.badRequest, "bad-action", "Unknown action \(action.prefix(40))."))
        }
        let submitted = request.child("x", namespace: DataForm.namespace).flatMap(DataForm.init).flatMap { $0.type == .submit ? $0 : nil }
        let sessionID = request[attribute: "sessionid"] ?? UUID().uuidString
        let stages: [DataForm]
        switch advance(sessionID, isNew: request[attribute: "sessionid"] == nil, node: node, user: user, action: action, submitted: submitted) {
        case .failure(let error): return .failure(error)
        case .success(nil): return .success(reply(node, sessionID, status: "canceled"))
        case .success(let current?): stages = current
        }
        let step: AdHocStep
        do {
            // Directory changes the command makes are journaled as its requester.
            step = try await ComplianceRecorder.$changeActor.withValue((user, "")) {
                try await command.run(AdHocRequest(user: user, stages: stages))
            }
        } catch let error as StanzaError {
            close(sessionID)
            log(command, user: user, outcome: error.text ?? error.condition.rawValue, failed: true)
            return .failure(error)
        } catch {
            close(sessionID)
            let message = (error as? ChatRuleError)?.message ?? (error as? AdHocInputError)?.message ?? "The command failed."
            log(command, user: user, outcome: message, failed: true)
            return .success(completed(node, sessionID, result: nil, note: message, type: "error"))
        }
        switch step {
        case .form(let form, let final):
            var element = reply(node, sessionID, status: "executing")
            var actions = XMLElement("actions", namespace: Self.ns, attributes: ["execute": final ? "complete" : "next"])
            if !stages.isEmpty { actions.append(XMLElement("prev", namespace: Self.ns)) }
            actions.append(XMLElement(final ? "complete" : "next", namespace: Self.ns))
            element.append(actions)
            element.append(form.element)
            return .success(element)
        case .completed(let result, let note):
            close(sessionID)
            log(command, user: user, outcome: note ?? "completed", failed: false)
            return .success(completed(node, sessionID, result: result, note: note, type: "info"))
        }
    }

    /// Applies the action to the session: the stages to run with, nil once canceled.
    private func advance(_ id: String, isNew: Bool, node: String, user: String, action: String,
                         submitted: DataForm?) -> Result<[DataForm]?, StanzaError> {
        sessions.withLock { sessions -> Result<[DataForm]?, StanzaError> in
            let now = clock()
            if isNew {
                Self.evict(&sessions, user: user, now: now, lifetime: sessionLifetime)
                sessions[id] = Session(node: node, user: user, stages: [], touched: now)
            }
            guard var session = sessions[id], session.node == node, session.user == user else {
                return .failure(Self.error(.badRequest, "bad-sessionid", "There is no such command session."))
            }
            guard now.timeIntervalSince(session.touched) < sessionLifetime else {
                sessions[id] = nil
                return .failure(Self.error(.notAllowed, "session-expired", "That command session has expired."))
            }
            switch action {
            case "cancel":
                sessions[id] = nil
                return .success(nil)
            case "prev":
                guard !session.stages.isEmpty else { return .failure(Self.error(.badRequest, "bad-action", "There is no previous stage.")) }
                session.stages.removeLast()
            default:
                if let submitted { session.stages.append(submitted) }
            }
            session.touched = now
            sessions[id] = session
            return .success(session.stages)
        }
    }

    /// Drops expired sessions and keeps each user (and everyone) under the caps.
    private static func evict(_ sessions: inout [String: Session], user: String, now: Date, lifetime: TimeInterval) {
        sessions = sessions.filter { now.timeIntervalSince($0.value.touched) < lifetime }
        let mine = sessions.filter { $0.value.user == user }.sorted { $0.value.touched < $1.value.touched }
        for (id, _) in mine.prefix(max(0, mine.count - maxSessionsPerUser + 1)) { sessions[id] = nil }
        if sessions.count >= maxSessions, let oldest = sessions.min(by: { $0.value.touched < $1.value.touched }) {
            sessions[oldest.key] = nil
        }
    }

    private func close(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    private func reply(_ node: String, _ sessionID: String, status: String) -> XMLElement {
        XMLElement("command", namespace: Self.ns, attributes: ["node": node, "sessionid": sessionID, "status": status])
    }

    private func completed(_ node: String, _ sessionID: String, result: DataForm?, note: String?, type: String) -> XMLElement {
        var element = reply(node, sessionID, status: "completed")
        if let note { element.append(XMLElement.text("note", namespace: Self.ns, note).withAttribute("type", type)) }
        if let result { element.append(result.element) }
        return element
    }

    private func log(_ command: AdHocCommand, user: String, outcome: String, failed: Bool) {
        let metadata: Logger.Metadata = [
            "actor": "\(user)", "command": "\(command.node)", "service": "\(jid)", "outcome": "\(outcome.prefix(500))",
        ]
        guard command.administrative else {
            // A user's own query (search) is no administration: recorded quietly, for debugging.
            return logger.debug(failed ? "user command refused" : "user command", metadata: metadata)
        }
        logger.notice(failed ? "admin command refused" : "admin command", metadata: metadata)
    }

    /// A stanza error with a XEP-0050 application condition.
    static func error(_ condition: StanzaErrorCondition, _ specific: String, _ text: String) -> StanzaError {
        var error = StanzaError(condition, text: text)
        error.applicationCondition = XMLElement(specific, namespace: ns)
        return error
    }
}

extension XMLElement {
    func withAttribute(_ name: String, _ value: String) -> XMLElement {
        var copy = self
        copy[attribute: name] = value
        return copy
    }
}
