import PersistentChat
import XMPPCore

/// Server-side groups used as principals (`group:NAME`): create, add and remove members, list.
extension ChatCommandSet {
    var groupCommands: [AdHocCommand] {
        [
            administrators("group-create", "Create a group") { request in
                guard let form = request.stage(0) else {
                    return .form(DataForm(type: .form, title: "Create a group", fields: [
                        .text("name", "Name", required: true), .jidMulti("members", "Members"),
                    ]), final: true)
                }
                let input = FormInput(form)
                let (name, members) = (try input.required("name", "The name"), try input.jids("members"))
                try await perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                    try directory.createGroup(name, by: request.actor)
                    if !members.isEmpty { try directory.addToGroup(name, users: members, by: request.actor) }
                }
                return .done("Created group \(name).")
            },
            administrators("group-add", "Add users to a group") { request in
                guard let form = request.stage(0) else { return .form(groupForm("Add users to a group", members: "Users to add"), final: true) }
                let input = FormInput(form)
                let (name, members) = (try input.required("group", "The group"), try input.jids("members"))
                guard !members.isEmpty else { throw AdHocInputError("Name at least one user.") }
                try await perform { (directory: inout ChatDirectory) throws(ChatRuleError) in try directory.addToGroup(name, users: members, by: request.actor) }
                return .done("Added \(members.joined(separator: ", ")) to group \(name).")
            },
            administrators("group-remove", "Remove users from a group, or the group") { request in
                guard let form = request.stage(0) else {
                    return .form(groupForm("Remove users from a group", members: "Users to remove (none: remove the group)"), final: true)
                }
                let input = FormInput(form)
                let (name, members) = (try input.required("group", "The group"), try input.jids("members"))
                let stripped = try await perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                    members.isEmpty ? try directory.removeGroup(name, by: request.actor)
                        : try directory.removeFromGroup(name, users: members, by: request.actor)
                }
                return .done(Self.note(members.isEmpty ? "Removed group \(name)." : "Removed \(members.joined(separator: ", ")) from group \(name).",
                                       stripped: stripped))
            },
            administrators("group-list", "List groups") { _ in
                let groups = directory.groups.sorted { $0.key < $1.key }
                return .completed(Self.table("Groups", columns: [("group", "Group"), ("members", "Members")],
                                             rows: groups.map { [$0.key, $0.value.sorted().joined(separator: ", ")] }),
                                  note: "\(groups.count) groups.")
            },
        ]
    }

    private func groupForm(_ title: String, members: String) -> DataForm {
        DataForm(type: .form, title: title, fields: [
            .listSingle("group", "Group", nil, options: directory.groups.keys.sorted(), required: true),
            .jidMulti("members", members),
        ])
    }
}
