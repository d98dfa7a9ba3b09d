import Foundation
import Hummingbird
import PersistentChat
import SalonAdmin

/// The chat service's administration on the administrators' page: service settings, add-ins,
/// user policy, groups and administrators. Each form names its operation (`op`); each is the
/// PersistentChat mutation the ad-hoc commands run, as the signed-in user.
extension WebRoutes {
    func addServiceAdministration(to rooms: RouterGroup<SalonRequestContext>) {
        rooms.post("admin/service") { request, _ in await self.action(request) { user, form in await self.changeService(user, form) } }
    }

    /// The values of the service section of the administrators' page.
    func serviceValues(_ directory: ChatDirectory) -> [String: Any?] {
        let policy = directory.policy
        return [
            "settings": ServiceSetting.allCases.map { ["key": $0.rawValue, "value": $0.value(in: directory.settings)] },
            "addIns": directory.addIns.values.sorted { $0.name.lowercased() < $1.name.lowercased() }.map { ["addInName": $0.name, "url": $0.url] },
            "policyOn": policy.globalEnabled,
            "overrides": policy.overrides.sorted { $0.key < $1.key }.map { ["jid": $0.key, "state": $0.value ? "on" : "off"] },
            "groups": directory.groups.sorted { $0.key < $1.key }.map { name, members in
                ["group": name, "members": members.isEmpty ? "(nobody)" : members.sorted().joined(separator: ", ")]
            },
            "administrators": (directory.administrators.map { ($0, "chat") } + directory.serverAdministrators.map { ($0, "server") })
                .sorted { $0.0 < $1.0 }.map { ["jid": $0.0, "role": $0.1] },
        ]
    }

    func changeService(_ user: WebUser, _ form: WebForm) async -> Response {
        let op = form["op"] ?? ""
        do {
            let actor = ChatActor.user(user.account)
            let notice: String
            switch op {
            case "settings":
                let values = ServiceSetting.allCases.compactMap { setting in form[setting.rawValue].map { (setting, $0) } }
                try await muc.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in try directory.updateSettings(values, by: actor) }
                notice = "Settings saved."
            case "addin-add":
                let addIn = AddIn(name: form["name"] ?? "", url: form["url"] ?? "")
                try await muc.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in try directory.createAddIn(addIn, by: actor) }
                notice = "Add-in \(addIn.name) registered."
            case "addin-remove":
                let name = form["name"] ?? ""
                try await muc.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in try directory.removeAddIn(named: name, by: actor) }
                notice = "Add-in \(name) removed."
            case "policy":
                let who = form.text("user").map(userJID)
                let enabled: Bool? = switch form["enabled"] { case "on": true; case "off": false; default: nil }
                try await muc.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                    try directory.setPolicy(user: who, enabled: enabled, by: actor)
                }
                notice = "Policy saved."
            case "group-create":
                let name = form["name"] ?? ""
                let members = lines(form["members"]).map(userJID)
                try await muc.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                    try directory.createGroup(name, by: actor)
                    if !members.isEmpty { try directory.addToGroup(name, users: members, by: actor) }
                }
                notice = "Group \(name) created."
            case "group-add", "group-remove":
                let name = form["name"] ?? "", members = lines(form["members"]).map(userJID)
                let stripped = try await muc.perform { (directory: inout ChatDirectory) throws(ChatRuleError) -> RoleStripping in
                    if op == "group-add" {
                        try directory.addToGroup(name, users: members, by: actor)
                        return RoleStripping()
                    }
                    return try directory.removeFromGroup(name, users: members, by: actor)
                }
                notice = (["Group \(name) changed."] + ChatReport.stripped(stripped)).joined(separator: " ")
            case "group-delete":
                let name = form["name"] ?? ""
                let stripped = try await muc.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                    try directory.removeGroup(name, by: actor)
                }
                notice = (["Group \(name) removed."] + ChatReport.stripped(stripped)).joined(separator: " ")
            case "admin-add":
                let jid = userJID(form["user"] ?? ""), role = AdministratorRole(rawValue: form["role"] ?? "") ?? .chat
                try await muc.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                    try directory.addAdministrator(jid, role: role, by: actor)
                }
                notice = "\(jid) is a \(role.rawValue) administrator."
            case "admin-remove":
                let jid = userJID(form["user"] ?? "")
                try await muc.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in try directory.removeAdministrator(jid, by: actor) }
                notice = "\(jid) is no longer an administrator."
            default:
                throw ChatRuleError(.invalid, "\(op.prefix(40)) is not an administration operation.")
            }
            logAction("service: \(op)", user, room: "-")
            return administration(user, notice: notice)
        } catch let error as ChatRuleError {
            logRefusal("service: \(op)", user, room: "-", error)
            return administration(user, error: error)
        } catch {
            return storageFailure(user, error)
        }
    }

    /// A typed user: a bare name is a user of this server.
    private func userJID(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        return trimmed.contains("@") || trimmed.isEmpty ? trimmed : "\(trimmed)@\(serverDomain)"
    }

    private func lines(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0.isNewline || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
