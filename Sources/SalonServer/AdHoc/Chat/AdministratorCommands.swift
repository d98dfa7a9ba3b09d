import PersistentChat
import XMPPCore

/// Administrators and their roles: chat administrators may add chat administrators; only server
/// administrators grant, change or take the server role (PersistentChat checks).
extension ChatCommandSet {
    var administratorCommands: [AdHocCommand] {
        [
            administrators("admin-add", "Add an administrator") { request in
                guard let form = request.stage(0) else {
                    return .form(DataForm(type: .form, title: "Add an administrator", fields: [
                        .jidSingle("jid", "User", required: true),
                        .listSingle("role", "Role", AdministratorRole.chat.rawValue, options: AdministratorRole.allCases.map(\.rawValue), required: true),
                    ]), final: true)
                }
                let input = FormInput(form)
                guard let user = try input.jids("jid").first else { throw AdHocInputError("The user is required.") }
                let role = try input.choice("role", AdministratorRole.self) ?? .chat
                try await perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                    try directory.addAdministrator(user, role: role, by: request.actor)
                }
                return .done("\(user) is a \(role == .server ? "server" : "persistent-chat") administrator.")
            },
            administrators("admin-remove", "Remove an administrator") { request in
                guard let form = request.stage(0) else {
                    let admins = directory.administrators.union(directory.serverAdministrators).sorted()
                    return .form(DataForm(type: .form, title: "Remove an administrator", fields: [
                        .listSingle("jid", "Administrator", nil, options: admins, required: true),
                    ]), final: true)
                }
                guard let user = try FormInput(form).jids("jid").first else { throw AdHocInputError("The administrator is required.") }
                try await perform { (directory: inout ChatDirectory) throws(ChatRuleError) in try directory.removeAdministrator(user, by: request.actor) }
                return .done("\(user) is no longer an administrator.")
            },
            administrators("admin-list", "List administrators") { _ in
                let directory = directory
                let admins = directory.administrators.union(directory.serverAdministrators).sorted()
                return .completed(Self.table("Administrators", columns: [("jid", "User"), ("role", "Role")],
                                             rows: admins.map { [$0, directory.administratorRole(of: $0)?.rawValue ?? ""] }),
                                  note: "\(admins.count) administrators.")
            },
        ]
    }
}
