import PersistentChat
import SalonAdmin
import XMPPCore

/// Rooms: create (administrators and creators), change and show (managers too), list with
/// filters, remove (administrators).
extension ChatCommandSet {
    var roomCommands: [AdHocCommand] {
        unowned let service = service  // the service holds its commands
        return [
            AdHocCommand(node: "room-create", name: "Create a room", mayRun: { service.directory.mayCreateRooms($0) }) { request in
                guard let form = request.stage(0) else { return .form(roomForm("Create a room", nil, for: request.user), final: true) }
                let input = FormInput(form)
                let name = try input.required("name", "The name")
                let edit = try roomEdit(form)
                let address = input.text("address")
                let room = try await perform { (directory: inout ChatDirectory) throws(ChatRuleError) -> Room in
                    try directory.createRoom(named: name, address: address, applying: edit, by: request.actor)
                }
                return .done("Created room \(room.name) (\(room.localpart)@\(service.domain)).")
            },
            roomManagers("room-change", "Change a room") { request in
                guard let chosen = request.stage(0) else { return .form(roomChoice("Change a room", for: request.user), final: false) }
                let room = try room(in: chosen, for: request)
                guard let form = request.stage(1) else { return .form(roomForm("Change room \(room.name)", room, for: request.user), final: true) }
                let edit = try roomEdit(form)
                let stripped = try await perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                    try directory.updateRoom(room.localpart, by: request.actor, applying: edit)
                }
                return .done(Self.note("Changed room \(edit.name ?? room.name).", stripped: stripped))
            },
            roomManagers("room-show", "Show a room") { request in
                guard let chosen = request.stage(0) else { return .form(roomChoice("Show a room", for: request.user), final: true) }
                return .completed(Self.report("Room", ChatReport.room(try room(in: chosen, for: request), in: directory)), note: nil)
            },
            roomManagers("room-list", "List rooms") { request in
                guard let form = request.stage(0) else { return .form(roomFilterForm(), final: true) }
                let rooms = try roomFilter(form).rooms(in: directory).filter { directory.access(of: request.user, to: $0).canManage }
                return .completed(Self.table("Rooms", columns: [("name", "Name"), ("address", "Address"), ("category", "Category"),
                                                                ("privacy", "Privacy"), ("type", "Type"), ("disabled", "Disabled")],
                                             rows: rooms.map { [$0.name, "\($0.localpart)@\(service.domain)", $0.category, $0.privacy.rawValue,
                                                                $0.type.rawValue, $0.disabled ? "yes" : "no"] }),
                                  note: "\(rooms.count) rooms.")
            },
            administrators("room-remove", "Remove a room") { request in
                guard let chosen = request.stage(0) else { return .form(roomChoice("Remove a room, its roles and its messages", for: request.user), final: true) }
                let room = try room(in: chosen, for: request)
                try await perform { (directory: inout ChatDirectory) throws(ChatRuleError) in try directory.removeRoom(room.localpart, by: request.actor) }
                try await service.administration.deleteMessages(room: room.localpart)
                return .done("Removed room \(room.name).")
            },
        ]
    }

    /// The room's settings and roles, blank for a new one (then with an optional address).
    private func roomForm(_ title: String, _ room: Room?, for user: String) -> DataForm {
        let directory = directory
        let categories = room == nil ? directory.categoriesForNewRooms(by: user) : directory.categories.values.map(\.name)
        var fields: [DataForm.Field] = [
            .text("name", "Name", room?.name, required: true),
            .text("description", "Description", room?.description),
            .listSingle("category", "Category", room?.category, options: categories.sorted(), required: true),
            .listSingle("type", "Type", (room?.type ?? .normal).rawValue, options: RoomType.allCases.map(\.rawValue)),
            .listSingle("privacy", "Privacy", (room?.privacy ?? .closed).rawValue, options: RoomPrivacy.allCases.map(\.rawValue)),
            .listSingle("invitations", "Invitations", (room?.invitations ?? .inherit).rawValue, options: RoomInvitations.allCases.map(\.rawValue)),
            .listSingle("addin", "Add-in", room?.addIn ?? "none", options: ["none"] + directory.addIns.values.map(\.name).sorted()),
            .boolean("disabled", "Disabled", room?.disabled ?? false),
            .textMulti("members", "Members", room?.members.map(\.description) ?? []),
            .textMulti("managers", "Managers", room?.managers.map(\.description) ?? []),
            .textMulti("presenters", "Presenters (auditoriums)", room?.presenters.map(\.description) ?? []),
        ]
        if room == nil { fields.append(.text("address", "Address (optional; made from the name)")) }
        return DataForm(type: .form, title: title, instructions: "Principals one per line: user@domain, group:NAME or a domain.", fields: fields)
    }

    /// A submitted room form as an edit: the role lists replace the old ones.
    private func roomEdit(_ form: DataForm) throws -> RoomEdit {
        let input = FormInput(form)
        var edit = RoomEdit()
        edit.name = input.text("name")
        edit.description = form["description"] == nil ? nil : input.text("description") ?? ""
        edit.category = input.text("category")
        edit.type = try input.choice("type", RoomType.self)
        edit.privacy = try input.choice("privacy", RoomPrivacy.self)
        edit.invitations = try input.choice("invitations", RoomInvitations.self)
        if form["addin"] != nil { edit.setAddIn(input.text("addin") ?? "") }
        edit.disabled = try input.bool("disabled")
        if form["members"] != nil { edit.members = PrincipalListEdit(replacement: try input.principals("members")) }
        if form["managers"] != nil { edit.managers = PrincipalListEdit(replacement: try input.principals("managers")) }
        if form["presenters"] != nil { edit.presenters = PrincipalListEdit(replacement: try input.principals("presenters")) }
        return edit
    }

    private func roomChoice(_ title: String, for user: String) -> DataForm {
        DataForm(type: .form, title: title, fields: [roomField(for: user)])
    }

    /// The filter choice that filters nothing.
    static let any = "(any)"

    private func roomFilterForm() -> DataForm {
        DataForm(type: .form, title: "List rooms", instructions: "Every filter is optional.", fields: [
            .text("text", "Name contains"),
            .boolean("search-description", "Also search descriptions", false),
            // An optional choice offers "(any)": Poezio always answers a list-single with one of
            // its options (the first, unasked) and fails on one without options.
            .listSingle("category", "Category", Self.any, options: [Self.any] + directory.categories.values.map(\.name).sorted()),
            .text("member", "Member (principal)"),
            .text("manager", "Manager (principal)"),
            .listSingle("addin", "Add-in", Self.any, options: [Self.any] + directory.addIns.values.map(\.name).sorted()),
            .listMulti("privacy", "Privacy (any of)", [], options: RoomPrivacy.allCases.map(\.rawValue)),
            .listMulti("type", "Type (any of)", [], options: RoomType.allCases.map(\.rawValue)),
            .listSingle("disabled", "Disabled", "any", options: ["any", "yes", "no"]),
        ])
    }

    private func roomFilter(_ form: DataForm) throws -> RoomFilter {
        let input = FormInput(form)
        var filter = RoomFilter()
        filter.text = input.text("text")
        filter.searchDescription = try input.bool("search-description") ?? false
        filter.category = input.text("category").flatMap { $0 == Self.any ? nil : $0 }
        filter.member = try input.text("member").map { (text: String) throws(ChatRuleError) in try Principal(text) }
        filter.manager = try input.text("manager").map { (text: String) throws(ChatRuleError) in try Principal(text) }
        filter.addIn = input.text("addin").flatMap { $0 == Self.any ? nil : $0 }
        filter.privacies = Set(try input.choices("privacy", RoomPrivacy.self))
        filter.types = Set(try input.choices("type", RoomType.self))
        switch input.text("disabled")?.lowercased() {
        case nil, "any": break
        case "yes", "1", "true": filter.disabled = true
        case "no", "0", "false": filter.disabled = false
        default: throw AdHocInputError("Disabled is any, yes or no.")
        }
        return filter
    }
}
