import Foundation
import Hummingbird
import PersistentChat
import SalonAdmin
import XMPPCore

/// What chat administrators do on the pages: categories (scope lists, creators, invitations,
/// files, history), deleting a room, clearing its history up to a date. The same operations as
/// the ad-hoc commands (`createCategory`, `updateCategory` with a `CategoryEdit`,
/// `removeCategory`, `removeRoom`, `ArchiveAdministration.clear`), as the signed-in user, so
/// PersistentChat refuses whoever is not an administrator.
extension WebRoutes {
    func addAdministration(to rooms: RouterGroup<SalonRequestContext>) {
        rooms.get("admin") { request, _ in await self.page(request) { user in self.administration(user) } }
        addServiceAdministration(to: rooms)
        addMessageRemoval(to: rooms)
        addComplianceAdministration(to: rooms)
        rooms.post("admin/categories") { request, _ in await self.action(request) { user, form in await self.createCategory(user, form) } }
        rooms.get("admin/category") { request, _ in
            let query = WebForm.query(request)
            return await self.page(request) { user in
                self.categoryPage(query["name"] ?? "", user, notice: query["done"] == "created" ? "The category is created." : nil)
            }
        }
        rooms.post("admin/category") { request, _ in await self.action(request) { user, form in await self.changeCategory(user, form) } }
        rooms.post("admin/category/remove") { request, _ in await self.action(request) { user, form in await self.removeCategory(user, form) } }
        rooms.post("r/:room/delete") { request, context in
            await self.action(request) { user, _ in await self.deleteRoom(context.parameters.get("room") ?? "", user) }
        }
        rooms.post("r/:room/clear") { request, context in
            await self.action(request) { user, form in await self.clearRoom(context.parameters.get("room") ?? "", user, form) }
        }
    }

    static let administratorsOnly = "Only chat administrators administer the chat service."

    func administration(_ user: WebUser, values form: WebForm? = nil, error: ChatRuleError? = nil, notice: String? = nil) -> Response {
        let directory = muc.directory
        guard directory.isAdministrator(user.account) else {
            return pages.message("Administration", Self.administratorsOnly, status: .forbidden, user: user)
        }
        let rooms = Dictionary(grouping: directory.rooms.values, by: { $0.category.lowercased() })
        var values = categoryFormValues(nil, form: form, user: user).merging(serviceValues(directory)) { first, _ in first }
            .merging(complianceSummary()) { first, _ in first }
        values["hasCategories"] = !directory.categories.isEmpty
        values["categories"] = directory.categories.values.sorted { $0.name.lowercased() < $1.name.lowercased() }.map { category in
            WebPages.object(["catName": category.name, "catDescription": category.description.isEmpty ? nil : category.description,
                             "link": Self.queryEscaped(category.name), "rooms": "\(rooms[category.name.lowercased()]?.count ?? 0)",
                             "scope": "allowed " + ChatReport.describe(category.allowed) + "; denied " + ChatReport.describe(category.denied)])
        }
        return pages.page("admin", title: "Administration", values, user: user, notice: notice, error: error?.message,
                          status: error.map(Self.status(of:)) ?? .ok)
    }

    func categoryPage(_ name: String, _ user: WebUser, values form: WebForm? = nil, error: ChatRuleError? = nil,
                      notice: String? = nil) -> Response {
        let directory = muc.directory
        guard directory.isAdministrator(user.account) else {
            return pages.message("Administration", Self.administratorsOnly, status: .forbidden, user: user)
        }
        guard let category = directory.category(named: name) else {
            return pages.message("No such category", ChatDirectory.categoryNotFound(name).message, status: .notFound, user: user)
        }
        return pages.page("category", title: "Category \(category.name)", categoryFormValues(category, form: form, user: user), user: user,
                          notice: notice, error: error?.message, status: error.map(Self.status(of:)) ?? .ok)
    }

    /// The category form's values: the category's, or what was submitted when it was refused.
    private func categoryFormValues(_ category: Category?, form: WebForm?, user: WebUser) -> [String: Any?] {
        func lines(_ list: [Principal]?) -> String { (list ?? []).map(\.description).joined(separator: "\n") }
        var values: [String: Any?] = [
            "csrf": user.csrf, "original": category?.name, "link": category.map { Self.queryEscaped($0.name) },
            "action": category == nil ? "/rooms/admin/categories" : "/rooms/admin/category",
            "submitLabel": category == nil ? "Create the category" : "Save the category",
            "catName": category?.name, "catDescription": category?.description,
            "allowed": lines(category?.allowed), "denied": lines(category?.denied), "creators": lines(category?.creators),
            "invitations": category?.invitations ?? false, "fileUpload": category?.fileUpload ?? false,
            "chatHistory": category?.chatHistory ?? true,
        ]
        if let form {
            values["catName"] = form["name"]
            values["catDescription"] = form["description"]
            for key in ["allowed", "denied", "creators"] { values[key] = form[key] }
            values["invitations"] = form["invitations"] == "yes"
            values["fileUpload"] = form["file-upload"] == "yes"
            values["chatHistory"] = form["chat-history"] == "yes"
        }
        return values
    }

    /// The submitted category form as an edit: the lists replace the old ones.
    private func categoryEdit(_ form: WebForm) throws(ChatRuleError) -> CategoryEdit {
        func principals(_ key: String) throws(ChatRuleError) -> [Principal] {
            let lines = (form[key] ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return try Principal.list(lines, userDomain: serverDomain)
        }
        var edit = CategoryEdit()
        edit.name = form.text("name")
        edit.description = form["description"] ?? ""
        edit.allowed = PrincipalListEdit(replacement: try principals("allowed"))
        edit.denied = PrincipalListEdit(replacement: try principals("denied"))
        edit.creators = PrincipalListEdit(replacement: try principals("creators"))
        edit.invitations = form["invitations"] == "yes"
        edit.fileUpload = form["file-upload"] == "yes"
        edit.chatHistory = form["chat-history"] == "yes"
        return edit
    }

    func createCategory(_ user: WebUser, _ form: WebForm) async -> Response {
        do {
            guard let name = form.text("name") else { throw ChatRuleError(.invalid, "The name is required.") }
            var category = Category(name: name)
            try categoryEdit(form).apply(to: &category)
            try await muc.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.createCategory(category, by: .user(user.account))
            }
            logAction("category created", user, room: "-")
            return WebPages.redirect("/rooms/admin/category?name=\(Self.queryEscaped(category.name))&done=created")
        } catch let error as ChatRuleError {
            logRefusal("category creation", user, room: "-", error)
            return administration(user, values: form, error: error)
        } catch {
            return storageFailure(user, error)
        }
    }

    func changeCategory(_ user: WebUser, _ form: WebForm) async -> Response {
        let original = form["original"] ?? ""
        do {
            let edit = try categoryEdit(form)
            let stripped = try await muc.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.updateCategory(named: original, by: .user(user.account)) { edit.apply(to: &$0) }
            }
            logAction("category changed", user, room: "-")
            let name = edit.name ?? original
            return categoryPage(name, user, notice: (["Saved."] + ChatReport.stripped(stripped)).joined(separator: " "))
        } catch let error as ChatRuleError {
            logRefusal("category change", user, room: "-", error)
            return muc.directory.category(named: original) == nil
                ? pages.message("Not saved", error.message, status: Self.status(of: error), user: user)
                : categoryPage(original, user, values: form, error: error)
        } catch {
            return storageFailure(user, error)
        }
    }

    func removeCategory(_ user: WebUser, _ form: WebForm) async -> Response {
        let name = form["name"] ?? ""
        do {
            try await muc.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.removeCategory(named: name, by: .user(user.account))
            }
            logAction("category removed", user, room: "-")
            return administration(user, notice: "Category \(name) removed.")
        } catch let error as ChatRuleError {
            logRefusal("category removal", user, room: "-", error)
            return muc.directory.category(named: name) == nil
                ? pages.message("Not removed", error.message, status: Self.status(of: error), user: user)
                : categoryPage(name, user, error: error)
        } catch {
            return storageFailure(user, error)
        }
    }

    // MARK: Rooms

    func deleteRoom(_ localpart: String, _ user: WebUser) async -> Response {
        let localpart = localpart.lowercased()
        do {
            try await muc.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.removeRoom(localpart, by: .user(user.account))
            }
            // As the ad-hoc room-remove: the room's messages go with it.
            try await muc.administration.deleteMessages(room: localpart)
            logAction("room deleted", user, room: localpart)
            return pages.message("Room deleted", "Room \(localpart) and its messages are deleted.", status: .ok, user: user)
        } catch let error as ChatRuleError {
            logRefusal("room deletion", user, room: localpart, error)
            return await roomPage(localpart, user, query: WebForm(), refusal: error)
        } catch {
            return storageFailure(user, error)
        }
    }

    func clearRoom(_ localpart: String, _ user: WebUser, _ form: WebForm) async -> Response {
        let localpart = localpart.lowercased()
        let directory = muc.directory
        guard directory.mayEditContent(user.account) else {
            let error = ChatRuleError(.forbidden, "Only chat administrators clear a room's content.")
            logRefusal("room cleared", user, room: localpart, error)
            return await roomPage(localpart, user, query: WebForm(), refusal: error)
        }
        guard let value = form.text("until"), let until = Timestamp.parse(value) ?? Timestamp.parse("\(value)T23:59:59.999Z") else {
            return await roomPage(localpart, user, query: WebForm(),
                                  refusal: ChatRuleError(.invalid, "\((form["until"] ?? "").prefix(100)) is not a date (2026-11-21)."))
        }
        do {
            let removed = try await ArchiveAdministration(database: muc.database).clear(room: localpart, until: until)
            await muc.pollOnce()
            logAction("room cleared", user, room: localpart)
            return await roomPage(localpart, user, query: WebForm(), notice: "Deleted \(removed) messages.")
        } catch let error as ChatRuleError {
            return await roomPage(localpart, user, query: WebForm(), refusal: error)
        } catch {
            return storageFailure(user, error)
        }
    }
}
