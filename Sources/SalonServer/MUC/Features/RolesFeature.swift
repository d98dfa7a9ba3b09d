import Foundation
import PersistentChat
import XMPPCore

/// Members, managers and presenters as principal lists (users, group:NAME, domains).
struct RolesFeature: RoomFeature {
    private static let lists: [(RoomRole, String, String)] = [
        (.member, "members", "Members"), (.manager, "managers", "Managers"), (.presenter, "presenters", "Presenters"),
    ]

    func configFields(_ context: RoomContext) -> [DataForm.Field] {
        Self.lists.map { role, variable, label in
            DataForm.Field("\(MUC.salon)#\(variable)", type: "text-multi", label: "\(label) (user@domain, group:NAME or a domain)",
                           values: context.room.principals(role).map(\.description))
        }
    }

func read(_ form: DataForm, shown: Room, directory: ChatDirectory, into edit: inout RoomEdit) throws(ChatRuleError) {
        for (role, variable, _) in Self.lists {
            guard let field = form["\(MUC.salon)#\(variable)"] else { continue }
            var principals: [Principal] = []
            for line in field.values.flatMap({ $0.split(whereSeparator: \.isNewline) }) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                principals.append(try Principal(String(line)))
            }
            edit.setPrincipals(role, PrincipalListEdit(replacement: principals))
        }
    }
}

extension Room {
    func principals(_ role: RoomRole) -> [Principal] {
        switch role {
        case .member: members
        case .manager: managers
        case .presenter: presenters
        }
    }
}

extension RoomEdit {
    mutating func setPrincipals(_ role: RoomRole, _ change: PrincipalListEdit) {
        switch role {
        case .member: members = change
        case .manager: managers = change
        case .presenter: presenters = change
        }
    }
}
