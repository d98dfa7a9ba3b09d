import PersistentChat

/// What "show" prints for a category or a room, as label/value lines: the CLI aligns them,
/// the ad-hoc commands return them as a result form.
public enum ChatReport {
    public struct Line: Sendable {
        public let key: String
        public let label: String
        public let value: String
    }

    public static func category(_ category: Category, in directory: ChatDirectory) -> [Line] {
        let rooms = directory.rooms.values.filter { $0.category.lowercased() == category.name.lowercased() }.map(\.name).sorted()
        return [
            Line(key: "name", label: "name", value: category.name),
            Line(key: "description", label: "description", value: category.description),
            Line(key: "allowed", label: "allowed", value: describe(category.allowed)),
            Line(key: "denied", label: "denied", value: describe(category.denied)),
            Line(key: "creators", label: "creators", value: describe(category.creators)),
            Line(key: "invitations", label: "invitations", value: onOff(category.invitations)),
            Line(key: "file-upload", label: "file upload", value: onOff(category.fileUpload)),
            Line(key: "chat-history", label: "chat history", value: onOff(category.chatHistory)),
            Line(key: "rooms", label: "rooms", value: rooms.isEmpty ? "(none)" : rooms.joined(separator: ", ")),
        ]
    }

    public static func room(_ room: Room, in directory: ChatDirectory) -> [Line] {
        [
            Line(key: "name", label: "name", value: room.name),
            Line(key: "address", label: "address", value: room.localpart),
            Line(key: "description", label: "description", value: room.description),
            Line(key: "category", label: "category", value: room.category),
            Line(key: "type", label: "type", value: room.type.rawValue),
            Line(key: "privacy", label: "privacy", value: room.privacy.rawValue),
            Line(key: "invitations", label: "invitations",
                 value: "\(room.invitations.rawValue) (effective: \(onOff(directory.effectiveInvitations(of: room))))"),
            Line(key: "disabled", label: "disabled", value: room.disabled ? "yes" : "no"),
            Line(key: "addin", label: "add-in", value: room.addIn ?? "(none)"),
            Line(key: "members", label: "members", value: describe(room.members)),
            Line(key: "managers", label: "managers", value: describe(room.managers)),
            Line(key: "presenters", label: "presenters", value: describe(room.presenters)),
            Line(key: "created-by", label: "created by", value: room.createdBy ?? "(not recorded)"),
        ]
    }

    public static func settings(_ settings: ServiceSettings) -> [Line] {
        ServiceSetting.allCases.map { Line(key: $0.rawValue, label: $0.rawValue, value: $0.value(in: settings)) }
    }

    /// Lines aligned for a terminal.
    public static func text(_ lines: [Line]) -> String {
        let width = (lines.map(\.label.count).max() ?? 0) + 2
        return lines.map { $0.label + ":" + String(repeating: " ", count: max(1, width - $0.label.count - 1)) + $0.value }
            .joined(separator: "\n")
    }

    /// Roles a change removed because their holders fell out of scope, one sentence each.
    public static func stripped(_ stripping: RoleStripping) -> [String] {
        stripping.removed.sorted { $0.key < $1.key }.flatMap { room, entries in
            entries.map { "removed \($0.principal) as \($0.role.rawValue) of room \(room): no longer in scope" }
        }
    }

    public static func describe(_ list: [Principal]) -> String {
        list.isEmpty ? "(none)" : list.map(\.description).joined(separator: ", ")
    }

    public static func onOff(_ value: Bool) -> String { value ? "on" : "off" }
}
