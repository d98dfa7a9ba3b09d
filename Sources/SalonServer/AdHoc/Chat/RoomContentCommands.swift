import PersistentChat
import SalonAdmin
import SalonStore
import XMPPCore

/// Room content (administrators, design §3): clear up to a date; delete or replace messages
/// by author, dates and keywords. Live rooms reload their history at once.
extension ChatCommandSet {
    var roomContentCommands: [AdHocCommand] {
        unowned let service = service  // the service holds its commands
        let administration = ArchiveAdministration(database: service.database)
        return [
            contentEditors("room-clear", "Clear a room's content") { request in
                guard let form = request.stage(0) else {
                    return .form(DataForm(type: .form, title: "Clear a room", instructions: "Deletes every message up to and including the date.",
                                          fields: [roomField(for: request.user), .text("until", "Until (2026-11-21 or 2026-11-21T18:00:00Z, UTC)", required: true)]),
                                 final: true)
                }
                let room = try room(in: form, for: request)
                guard let until = try FormInput(form).date("until", endOfDay: true) else { throw AdHocInputError("Until is required.") }
                let removed = try await administration.clear(room: room.localpart, until: until, journal: service.environment.compliance.journal(as: request.user))
                await service.pollOnce()
                return .done("Deleted \(removed) messages from \(room.name).")
            },
            contentEditors("message-remove", "Remove or replace messages") { request in
                guard let form = request.stage(0) else {
                    return .form(DataForm(type: .form, title: "Remove or replace messages", instructions: "Messages matching every filter given.", fields: [
                        roomField(for: request.user),
                        .jidMulti("authors", "Authors"),
                        .text("from", "From (UTC date or date-time)"),
                        .text("to", "To (inclusive)"),
                        .text("keywords", "Keywords (or the phrase for exact)"),
                        .listSingle("match", "Match", TextMatch.all.rawValue, options: TextMatch.allCases.map(\.rawValue)),
                        .boolean("case-sensitive", "Case sensitive", false),
                        .listSingle("action", "Action", "replace", options: ["delete", "replace"], required: true),
                        .text("replacement", "Replacement text", ArchiveAdministration.defaultReplacement),
                    ]), final: true)
                }
                let room = try room(in: form, for: request)
                let input = FormInput(form)
                let text = try input.text("keywords").map { TextFilter($0, match: try input.choice("match", TextMatch.self) ?? .all,
                                                                      caseSensitive: try input.bool("case-sensitive") ?? false) }
                let replace: Bool
                switch input.text("action")?.lowercased() {
                case "delete": replace = false
                case "replace": replace = true
                default: throw AdHocInputError("Action is delete or replace.")
                }
                let count = try await administration.remove(
                    room: room.localpart, authors: try input.jids("authors"), from: try input.date("from"), to: try input.date("to", endOfDay: true),
                    text: text, replacement: replace ? input.text("replacement") ?? ArchiveAdministration.defaultReplacement : nil,
                    journal: service.environment.compliance.journal(as: request.user))
                await service.pollOnce()
                return .done(replace ? "Replaced \(count) messages in \(room.name)." : "Deleted \(count) messages from \(room.name).")
            },
        ]
    }
}

extension ChatCommandSet {
    /// A content command: only those PersistentChat lets edit room content see it.
    func contentEditors(_ node: String, _ name: String, run: @escaping @Sendable (AdHocRequest) async throws -> AdHocStep) -> AdHocCommand {
        unowned let service = service  // the service holds its commands
        return AdHocCommand(node: node, name: name, mayRun: { service.directory.mayEditContent($0) }, run: run)
    }
}
