import PersistentChat
import SalonAdmin
import SalonStore
import XMPPCore

/// The persistent-chat management commands on the chat service JID — the XMPP face of the
/// management shell. Each runs as its requester: PersistentChat decides what they may do,
/// with the same rules and messages as the CLI.
struct ChatCommandSet: Sendable {
    unowned let service: MUCService

    /// Every command, in the order clients list them.
    var all: [AdHocCommand] {
        categoryCommands + roomCommands + roomContentCommands + addInCommands + serviceCommands
            + groupCommands + administratorCommands + complianceCommands + [searchCommand]
    }

    var directory: ChatDirectory { service.directory }

    /// A command only persistent-chat (and server) administrators see.
    func administrators(_ node: String, _ name: String, run: @escaping @Sendable (AdHocRequest) async throws -> AdHocStep) -> AdHocCommand {
        unowned let service = service  // the service holds its commands
        return AdHocCommand(node: node, name: name, mayRun: { service.directory.isAdministrator($0) }, run: run)
    }

    /// A room command: administrators, and managers for the rooms they manage.
    func roomManagers(_ node: String, _ name: String, run: @escaping @Sendable (AdHocRequest) async throws -> AdHocStep) -> AdHocCommand {
        let commands = self
        return AdHocCommand(node: node, name: name, mayRun: { !commands.managedRooms(of: $0).isEmpty || commands.directory.isAdministrator($0) },
                            run: run)
    }

    /// Applies a change (made as the requester) and brings the live rooms in line at once.
    func perform<T: Sendable>(_ change: (inout ChatDirectory) throws(ChatRuleError) -> T) async throws -> T {
        try await service.perform(change)
    }

    /// The rooms a user may manage, by name: all of them for administrators.
    func managedRooms(of user: String) -> [Room] {
        let directory = directory
        return directory.rooms.values.filter { directory.access(of: user, to: $0).canManage }
            .sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    /// A room picker: a list of the rooms the user manages, or a text field when there are too many to list.
    func roomField(for user: String, label: String = "Room") -> DataForm.Field {
        let rooms = managedRooms(of: user)
        guard rooms.count <= Self.maxListedChoices else { return .text("room", "\(label) (name or address)", required: true) }
        return .listSingle("room", label, nil, options: rooms.map(\.name), required: true)
    }

    /// The room a submitted form names, which the user must manage (else it is hidden or forbidden).
    func room(in form: DataForm, for request: AdHocRequest) throws -> Room {
        let directory = directory
        let localpart = try RoomAddress.find(try FormInput(form).required("room", "The room"), in: directory)
        let room = directory.rooms[localpart]!
        guard directory.access(of: request.user, to: room).canManage else {
            throw directory.denial(of: request.user, for: room, action: "manage")
        }
        return room
    }

    /// More choices than this become a text field: a form is not a directory browser.
    static let maxListedChoices = 300

    /// A result form of label/value lines, typed so that every client shows the values
    /// (Profanity shows nothing for a field without a type).
    static func report(_ title: String, _ lines: [ChatReport.Line]) -> DataForm {
        DataForm(type: .result, title: title,
                 fields: lines.map { DataForm.Field($0.key, type: "text-single", label: $0.label, values: [$0.value]) })
    }

    /// A result table (XEP-0004 reported/items, which Gajim and scripts read), preceded by the
    /// same rows as plain lines: Profanity and Poezio show a result's fields but no table.
    static func table(_ title: String, columns: [(String, String)], rows: [[String]]) -> DataForm {
        var form = DataForm(type: .result, title: title, fields: lines(columns: columns, rows: rows))
        form.reported = columns.map { DataForm.Field($0.0, label: $0.1) }
        form.items = rows.map { row in zip(columns, row).map { DataForm.Field($0.0.0, values: [$0.1]) } }
        return form
    }

    /// One fixed field per row (a heading naming the columns first), each with its own `var`:
    /// slixmpp keys fields by `var`, so lines sharing one would collapse into one.
    static func lines(columns: [(String, String)], rows: [[String]]) -> [DataForm.Field] {
        func line(_ cells: [String]) -> String {
            cells.map { $0.split(whereSeparator: \.isNewline).joined(separator: " ") }.filter { !$0.isEmpty }.joined(separator: " · ")
        }
        guard !rows.isEmpty else { return [DataForm.Field("line-0", type: "fixed", values: ["Nothing to show."])] }
        return [DataForm.Field("line-0", type: "fixed", values: [line(columns.map(\.1))])]
            + rows.enumerated().map { DataForm.Field("line-\($0.offset + 1)", type: "fixed", values: [line($0.element)]) }
    }

    /// A note with the roles a change stripped, if any.
    static func note(_ text: String, stripped: RoleStripping) -> String {
        ([text] + ChatReport.stripped(stripped)).joined(separator: "\n")
    }
}
