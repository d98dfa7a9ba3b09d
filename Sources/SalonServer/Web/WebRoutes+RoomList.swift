import Foundation
import Hummingbird
import PersistentChat
import SalonAdmin

/// The rooms a user may find, with search, and room creation for Creators and administrators.
extension WebRoutes {
    static let roomsPerPage = 100

    func roomList(_ request: Request, _ user: WebUser) -> Response {
        let query = WebForm.query(request)
        let directory = muc.directory
        var filter = RoomFilter()
        filter.text = query.text("q").map { String($0.prefix(200)) }
        filter.searchDescription = true
        filter.category = query.text("category")
        var refusal: ChatRuleError?
        if user.administrator {
            // The ad-hoc room-list command's filters.
            do throws(ChatRuleError) { try Self.administratorFilters(query, into: &filter, userDomain: serverDomain) } catch { refusal = error }
        }
        // Managers and administrators also see the rooms they manage but may not find (disabled, Secret).
        let found = filter.rooms(in: directory).filter { room in
            let access = directory.access(of: user.account, to: room)
            return access.canFind || access.canManage
        }
        let page = max(0, min(Int(query["page"] ?? "") ?? 0, found.count / Self.roomsPerPage))
        let shown = found.dropFirst(page * Self.roomsPerPage).prefix(Self.roomsPerPage)
        func link(_ page: Int) -> String {
            var items = [("page", "\(page)")]
            if let text = filter.text { items.append(("q", text)) }
            if let category = filter.category { items.append(("category", category)) }
            for key in ["member", "manager", "addin", "privacy", "type", "disabled"] { if let value = query.text(key) { items.append((key, value)) } }
            return "/rooms?" + items.map { "\($0.0)=\(Self.queryEscaped($0.1))" }.joined(separator: "&")
        }
        let summary = found.isEmpty ? (query.fields.contains { $0.name != "page" && !$0.value.isEmpty } ? "No room matches." : "There is no room you may see yet.")
            : found.count == 1 ? "1 room." : "\(found.count) rooms."
        return pages.page("rooms", title: "Rooms", [
            "mayCreate": directory.mayCreateRooms(user.account),
            "q": filter.text,
            "categories": directory.categories.values.map(\.name).sorted { $0.lowercased() < $1.lowercased() }
                .map { ["name": $0, "selected": $0.lowercased() == filter.category?.lowercased()] as [String: Any] },
            "summary": summary,
            "administrator": user.administrator,
            "member": query["member"], "manager": query["manager"],
            "addInOptions": WebPages.options([""] + directory.addIns.values.map(\.name).sorted(), selected: query["addin"] ?? ""),
            "privacyOptions": WebPages.options([""] + RoomPrivacy.allCases.map(\.rawValue), selected: query["privacy"] ?? ""),
            "typeOptions": WebPages.options([""] + RoomType.allCases.map(\.rawValue), selected: query["type"] ?? ""),
            "disabledOptions": WebPages.options(["", "yes", "no"], selected: query["disabled"] ?? ""),
            "hasRooms": !shown.isEmpty,
            "rooms": shown.map { room in
                WebPages.object(["localpart": room.localpart, "name": room.name, "description": room.description.isEmpty ? nil : room.description,
                                 "category": room.category, "privacy": room.privacy.rawValue, "type": room.type.rawValue,
                                 "disabled": room.disabled])
            },
            "previous": page > 0 ? link(page - 1) : nil,
            "next": (page + 1) * Self.roomsPerPage < found.count ? link(page + 1) : nil,
        ], user: user, error: refusal?.message, status: refusal.map(Self.status(of:)) ?? .ok)
    }

    /// Member, manager, add-in, privacy, type and disabled: what the ad-hoc `room-list` filters on.
    static func administratorFilters(_ query: WebForm, into filter: inout RoomFilter, userDomain: String) throws(ChatRuleError) {
        filter.member = try query.text("member").map { (text: String) throws(ChatRuleError) in try Principal(text, userDomain: userDomain) }
        filter.manager = try query.text("manager").map { (text: String) throws(ChatRuleError) in try Principal(text, userDomain: userDomain) }
        filter.addIn = query.text("addin")
        if let privacy = query.text("privacy") {
            guard let value = RoomPrivacy(rawValue: privacy) else { throw ChatRuleError(.invalid, "\(privacy.prefix(100)) is not a valid privacy.") }
            filter.privacies = [value]
        }
        if let type = query.text("type") {
            guard let value = RoomType(rawValue: type) else { throw ChatRuleError(.invalid, "\(type.prefix(100)) is not a valid type.") }
            filter.types = [value]
        }
        switch query.text("disabled") {
        case nil: break
        case "yes": filter.disabled = true
        case "no": filter.disabled = false
        case let other?: throw ChatRuleError(.invalid, "\(other.prefix(100)) is not a valid disabled (yes or no).")
        }
    }

    // MARK: Creation

    func newRoomForm(_ user: WebUser, values: WebForm = WebForm(), error: ChatRuleError? = nil) -> Response {
        let directory = muc.directory
        guard directory.mayCreateRooms(user.account) else {
            return pages.message("Create a room", Self.creationRefusal(directory, user.account) ?? "You may not create rooms.",
                                 status: .forbidden, user: user)
        }
        let categories = directory.categoriesForNewRooms(by: user.account).sorted { $0.lowercased() < $1.lowercased() }
        return pages.page("new-room", title: "Create a room", [
            "csrf": user.csrf,
            "name": values["name"], "address": values["address"], "description": values["description"],
            "categoryOptions": WebPages.options(categories, selected: values["category"]),
            "typeOptions": WebPages.options(RoomType.allCases.map(\.rawValue), selected: values["type"] ?? RoomType.normal.rawValue),
            "privacyOptions": WebPages.options(RoomPrivacy.allCases.map(\.rawValue), selected: values["privacy"] ?? RoomPrivacy.closed.rawValue),
            "invitationOptions": WebPages.options(RoomInvitations.allCases.map(\.rawValue),
                                                  selected: values["invitations"] ?? RoomInvitations.inherit.rawValue),
        ], user: user, error: error?.message, status: error.map(Self.status(of:)) ?? .ok)
    }

    func createRoom(_ user: WebUser, _ form: WebForm) async -> Response {
        do {
            guard let name = form.text("name") else { throw ChatRuleError(.invalid, "The name is required.") }
            var edit = try Self.settingsEdit(form)
            edit.disabled = nil
            let address = form.text("address")
            let room = try await muc.perform { (directory: inout ChatDirectory) throws(ChatRuleError) -> Room in
                try directory.createRoom(named: name, address: address, applying: edit, by: .user(user.account))
            }
            logAction("room created", user, room: room.localpart)
            return WebPages.redirect("/rooms/r/\(room.localpart)?done=created")
        } catch let error as ChatRuleError {
            logRefusal("room creation", user, room: form["address"] ?? "-", error)
            return newRoomForm(user, values: form, error: error)
        } catch {
            return storageFailure(user, error)
        }
    }

    /// Why the user may create no room, in the rule's words, or nil.
    static func creationRefusal(_ directory: ChatDirectory, _ user: String) -> String? {
        do throws(ChatRuleError) { try directory.checkMayCreateRooms(user) } catch { return error.message }
        return nil
    }
}
