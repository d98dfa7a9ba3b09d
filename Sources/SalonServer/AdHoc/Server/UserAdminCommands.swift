import Foundation
import SalonAdmin
import XMPPCore

/// XEP-0133 service administration on the server domain, for server administrators: accounts,
/// sessions and announcements. Accounts go through AccountService, as with `salon user`.
struct UserAdminCommands: Sendable {
    static let formType = "http://jabber.org/protocol/admin"

    let accounts: AccountService
    let sessions: SessionRegistry
    /// Reaches the other nodes' sessions on a clustered node: online users are the cluster's.
    unowned let router: Router
    let domain: String
    /// Whether a bare JID is a server administrator (kept with the chat directory).
    let isServerAdministrator: @Sendable (String) -> Bool

    var all: [AdHocCommand] {
        [
            command("add-user", "Add a user") { request in
                guard let form = request.stage(0) else {
                    return .form(Self.form("Add a user", [
                        .jidSingle("accountjid", "The Jabber ID for the account to be added", required: true),
                        .privateText("password", "The password for this account", required: true),
                        .privateText("password-verify", "Retype password", required: true),
                    ]), final: true)
                }
                let input = FormInput(form)
                let jid = try account(input.required("accountjid", "The account"))
                let password = try input.required("password", "The password")
                guard password == input.text("password-verify") else { throw AdHocInputError("The passwords do not match.") }
                _ = try await accounts.add(jid, password: password)
                return .done("Created \(jid).")
            },
            command("delete-user", "Delete users") { request in
                guard let form = request.stage(0) else {
                    return .form(Self.form("Delete users", [.jidMulti("accountjids", "The Jabber IDs of the accounts to delete", required: true)]), final: true)
                }
                let jids = try FormInput(form).lines("accountjids").map(account)
                guard !jids.isEmpty else { throw AdHocInputError("Name at least one account.") }
                for jid in jids {
                    _ = try await accounts.delete(jid)
                    end(sessionsOf: try JID(jid), because: "Your account was deleted.")
                }
                return .done("Deleted \(jids.joined(separator: ", ")).")
            },
            command("change-user-password", "Change a user's password") { request in
                guard let form = request.stage(0) else {
                    return .form(Self.form("Change a user's password", [
                        .jidSingle("accountjid", "The Jabber ID of the account", required: true),
                        .privateText("password", "The new password", required: true),
                    ]), final: true)
                }
                let input = FormInput(form)
                let jid = try account(input.required("accountjid", "The account"))
                _ = try await accounts.setPassword(jid, password: try input.required("password", "The password"))
                return .done("Changed the password of \(jid).")
            },
            command("end-user-session", "End user sessions") { request in
                guard let form = request.stage(0) else {
                    return .form(Self.form("End user sessions", [
                        .jidMulti("accountjids", "Bare JIDs end every session, full JIDs one", required: true),
                    ]), final: true)
                }
                var ended = 0
                for text in FormInput(form).lines("accountjids") {
                    guard let jid = try? JID(text), jid.domainpart == domain, jid.localpart != nil else {
                        throw AdHocInputError("\(text.prefix(300)) is not an account of \(domain).")
                    }
                    ended += end(sessionsOf: jid, because: "Your session was ended by an administrator.")
                }
                return .done("Ended \(ended) sessions.")
            },
            command("get-online-users-num", "Number of online users") { _ in
                .completed(Self.result([DataForm.Field("onlineusersnum", label: "The number of online users", values: ["\(onlineAccounts.count)"])]), note: nil)
            },
            command("get-online-users-list", "List online users") { request in
                guard let form = request.stage(0) else { return .form(Self.form("List online users", [Self.maxItems]), final: true) }
                let users = onlineAccounts.map(\.description).sorted()
                return .completed(Self.result([.jidMulti("onlineuserjids", "The list of all online users", Array(users.prefix(try Self.limit(form))))]), note: nil)
            },
            command("get-registered-users-num", "Number of registered users") { _ in
                let count = try await accounts.database.accounts.count(domain: domain)
                return .completed(Self.result([DataForm.Field("registeredusersnum", label: "The number of registered users", values: ["\(count)"])]), note: nil)
            },
            command("get-registered-users-list", "List registered users") { request in
                guard let form = request.stage(0) else { return .form(Self.form("List registered users", [Self.maxItems]), final: true) }
                let users = try await accounts.database.accounts.list(domain: domain)
                return .completed(Self.result([.jidMulti("registereduserjids", "The list of all users", Array(users.prefix(try Self.limit(form))))]), note: nil)
            },
            command("announce", "Send an announcement to online users") { request in
                guard let form = request.stage(0) else {
                    return .form(Self.form("Send an announcement to online users", [
                        .text("subject", "Subject"), .textMulti("announcement", "Announcement", []),
                    ]), final: true)
                }
                let input = FormInput(form)
                let text = form.values("announcement").joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
                guard !text.isEmpty else { throw AdHocInputError("The announcement is empty.") }
                let recipients = sessions.allSessions
                func announcement(to jid: JID) -> XMLElement {
                    var message = XMLElement("message", namespace: NS.client, attributes: ["from": domain, "to": jid.description, "type": "headline"])
                    if let subject = input.text("subject") { message.append(.text("subject", namespace: NS.client, subject)) }
                    message.append(.text("body", namespace: NS.client, text))
                    return message
                }
                for session in recipients { session.deliver(announcement(to: session.jid)) }
                let elsewhere = router.cluster?.remote.all ?? []
                if let cluster = router.cluster, let from = try? JID(domain) {
                    for resource in elsewhere { cluster.forward(announcement(to: resource.jid), to: resource, from: from, deliverOnly: true) }
                }
                return .done("Sent the announcement to \(recipients.count + elsewhere.count) sessions.")
            },
        ]
    }

    /// Accounts with a session here or, on a clustered node, on any other node.
    private var onlineAccounts: Set<JID> {
        Set(sessions.onlineAccounts).union(router.cluster?.remote.all.map(\.jid.bare) ?? [])
    }

    private func command(_ name: String, _ title: String, run: @escaping @Sendable (AdHocRequest) async throws -> AdHocStep) -> AdHocCommand {
        let isServerAdministrator = isServerAdministrator
        return AdHocCommand(node: "\(Self.formType)#\(name)", name: title, mayRun: isServerAdministrator) { request in
            do {
                return try await run(request)
            } catch let failure as AccountService.Failure {
                throw AdHocInputError(failure.description)
            }
        }
    }

    /// An account of this server, as a bare JID string.
    private func account(_ text: String) throws -> String {
        guard let jid = try? accounts.accountJID(text), jid.domainpart == domain else {
            throw AdHocInputError("\(text.prefix(300)) is not an account of \(domain).")
        }
        return jid.description
    }

    /// Closes the sessions of a bare JID (all) or a full JID (that one); returns how many.
    @discardableResult
    private func end(sessionsOf jid: JID, because reason: String) -> Int {
        let targets = jid.resourcepart == nil ? sessions.resources(of: jid).map(\.session) : sessions.session(jid).map { [$0] } ?? []
        for session in targets {
            session.stream.eventLoop.execute {
                session.stream.fail(.policyViolation, text: reason)
                // A session waiting to be resumed (XEP-0198) has no open stream to fail.
                (session.stream.owner as? C2SConnection)?.expire(reason: "ended by an administrator")
            }
        }
        return targets.count
    }

    private static let maxItems = DataForm.Field.listSingle("max_items", "Maximum number of items to show", "100",
                                                            options: ["25", "50", "75", "100", "150", "200", "none"])

    private static func limit(_ form: DataForm) throws -> Int {
        guard let value = FormInput(form).text("max_items"), value != "none" else { return Int.max }
        guard let limit = Int(value), limit > 0 else { throw AdHocInputError("Maximum number of items is a positive number or none.") }
        return limit
    }

    private static func form(_ title: String, _ fields: [DataForm.Field]) -> DataForm {
        DataForm(type: .form, title: title, fields: [.hidden("FORM_TYPE", formType)] + fields)
    }

    /// Untyped fields are typed text-single (the XEP-0004 default): Profanity shows nothing for a field without a type.
    private static func result(_ fields: [DataForm.Field]) -> DataForm {
        DataForm(type: .result, fields: [.hidden("FORM_TYPE", formType)] + fields.map { field in
            var typed = field
            if typed.type == nil { typed.type = "text-single" }
            return typed
        })
    }
}
