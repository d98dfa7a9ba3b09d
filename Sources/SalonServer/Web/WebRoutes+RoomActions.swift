import Foundation
import Hummingbird
import PersistentChat
import SalonAdmin

/// What managers (their rooms) and administrators change from a room's page: settings, the
/// member, manager and presenter lists, disabled or not. Each is one `RoomEdit` applied by
/// `updateRoom` as the signed-in user, through `MUCService.perform` so live rooms follow.
extension WebRoutes {
    /// The settings fields of the create and settings forms as an edit (unset fields change nothing).
    static func settingsEdit(_ form: WebForm) throws(ChatRuleError) -> RoomEdit {
        var edit = RoomEdit()
        edit.name = form.text("name")
        edit.description = form["description"]
        edit.category = form.text("category")
        edit.type = try choice(form, "type", RoomType.self)
        edit.privacy = try choice(form, "privacy", RoomPrivacy.self)
        edit.invitations = try choice(form, "invitations", RoomInvitations.self)
        if let addIn = form["addin"] { edit.setAddIn(addIn) }
        return edit
    }

    private static func choice<T: RawRepresentable>(_ form: WebForm, _ name: String, _ type: T.Type) throws(ChatRuleError) -> T?
    where T.RawValue == String {
        guard let value = form.text(name) else { return nil }
        guard let choice = T(rawValue: value.lowercased()) else { throw ChatRuleError(.invalid, "\(value.prefix(100)) is not a valid \(name).") }
        return choice
    }

    func changeSettings(_ localpart: String, _ user: WebUser, _ form: WebForm) async -> Response {
        await change(localpart, user, form, action: "settings changed", done: "saved") { () throws(ChatRuleError) in try Self.settingsEdit(form) }
    }

    func changeState(_ localpart: String, _ user: WebUser, _ form: WebForm) async -> Response {
        let disable = form["disabled"] == "yes"
        return await change(localpart, user, form, action: disable ? "room disabled" : "room enabled", done: disable ? "disabled" : "enabled") {
            () throws(ChatRuleError) in
            var edit = RoomEdit()
            edit.disabled = disable
            return edit
        }
    }

    func changeRoles(_ localpart: String, _ user: WebUser, _ form: WebForm) async -> Response {
        let adding = form["action"] != "remove"
        let list = form["list"] ?? ""
        return await change(localpart, user, form, action: adding ? "\(list) added" : "\(list) removed", done: adding ? "added" : "removed") {
            () throws(ChatRuleError) in
            guard let text = form.text("principal") else { throw ChatRuleError(.invalid, "Name a user, group:NAME or a domain.") }
            let principal = try Principal(text, userDomain: serverDomain)
            let change = adding ? PrincipalListEdit(adding: [principal]) : PrincipalListEdit(removing: [principal])
            var edit = RoomEdit()
            switch RoomRole(rawValue: list) {
            case .member: edit.members = change
            case .manager: edit.managers = change
            case .presenter: edit.presenters = change
            case nil: throw ChatRuleError(.invalid, "\(list.prefix(40)) is not a room list (member, manager or presenter).")
            }
            return edit
        }
    }

    /// Applies an edit to the room as the user; on success back to the room's page, else the
    /// page again with the rule's refusal (403 when the user may not manage the room, 404 when
    /// they may not even see it: nothing changed either way).
    private func change(_ localpart: String, _ user: WebUser, _ form: WebForm, action: String, done: String,
                        _ makeEdit: () throws(ChatRuleError) -> RoomEdit) async -> Response {
        let localpart = localpart.lowercased()
        do {
            let edit = try makeEdit()
            let stripped = try await muc.perform { (directory: inout ChatDirectory) throws(ChatRuleError) -> RoleStripping in
                try directory.updateRoom(localpart, by: .user(user.account), applying: edit)
            }
            logAction(action, user, room: localpart)
            let lines = ChatReport.stripped(stripped)
            guard lines.isEmpty else {
                return await roomPage(localpart, user, query: WebForm(), notice: (["Saved."] + lines).joined(separator: " "))
            }
            return WebPages.redirect("/rooms/r/\(localpart)?done=\(done)")
        } catch let error as ChatRuleError {
            logRefusal(action, user, room: localpart, error)
            return await roomPage(localpart, user, query: WebForm(), refusal: error)
        } catch {
            return storageFailure(user, error)
        }
    }

    // MARK: The operator log

    func logAction(_ action: String, _ user: WebUser, room: String) {
        logger.notice("web change", metadata: ["actor": "\(user.account)", "room": "\(room)", "action": "\(action)"])
    }

    func logRefusal(_ action: String, _ user: WebUser, room: String, _ error: ChatRuleError) {
        logger.info("web change refused", metadata: ["actor": "\(user.account)", "room": "\(room.prefix(80))", "action": "\(action.prefix(60))",
                                                     "cause": "\(error.kind.rawValue)"])
    }

    func storageFailure(_ user: WebUser, _ error: any Error) -> Response {
        logger.error("web change failed", metadata: ["actor": "\(user.account)", "cause": "\(error)"])
        return pages.message("Not saved", "The change could not be saved: try again later.", status: .internalServerError, user: user)
    }
}
