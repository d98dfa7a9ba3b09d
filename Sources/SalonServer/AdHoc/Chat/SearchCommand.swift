import Foundation
import PersistentChat
import SalonStore
import XMPPCore

/// The ad-hoc "search" command on the chat service: the same search as MAM on the service JID,
/// for clients without MAM forms. Results are a table tagged with each message's room.
extension ChatCommandSet {
    var searchCommand: AdHocCommand {
        unowned let service = service  // the service holds its commands
        return AdHocCommand(node: "search", name: "Search persistent chat", mayRun: { service.directory.maySearch($0) },
                            administrative: false) { request in
            guard let form = request.stage(0) else {
                return .form(DataForm(type: .form, title: "Search persistent chat", instructions: "Every field is optional except the keywords.", fields: [
                    .text("keywords", "Keywords", required: true),
                    .listSingle("match", "Match", TextMatch.all.rawValue, options: TextMatch.allCases.map(\.rawValue)),
                    .boolean("case-sensitive", "Case sensitive", false),
                    .jidMulti("authors", "Authors"),
                    .text("start", "From (UTC, 2026-11-21 or 2026-11-21T00:00:00Z)"),
                    .text("end", "To (UTC)"),
                    .text("max", "At most", "50"),
                ]), final: true)
            }
            let input = FormInput(form)
            let rooms = service.directory.searchableRooms(for: request.user)
            var query = ArchiveQuery(rooms: rooms)
            query.text = TextFilter(try input.required("keywords", "The keywords"), match: try input.choice("match", TextMatch.self) ?? .all,
                                    caseSensitive: try input.bool("case-sensitive") ?? false)
            query.authors = try input.jids("authors")
            query.start = try input.date("start")
            query.end = try input.date("end", endOfDay: true)
            query.max = min(1000, max(1, Int(input.text("max") ?? "50") ?? 50))
            query.before = ""
            let page: ArchivePage
            do {
                page = rooms.isEmpty ? ArchivePage(messages: [], complete: true, count: 0, first: nil, last: nil)
                    : try await service.database.archive.query(query)
                try await service.environment.compliance.recordBackchat(query, source: "search", room: "", user: request.user,
                                                                        session: "", results: page.messages.count)
            } catch {
                throw MAMResponder.stanzaError(error)
            }
            guard !rooms.isEmpty else { return .completed(resultForm([]), note: "No room to search.") }
            return .completed(resultForm(page.messages), note: "\(page.count) messages match; showing the last \(page.messages.count).")
        }
    }

    private func resultForm(_ messages: [StoredMessage]) -> DataForm {
        let rooms = directory.rooms
        return Self.table("Search results", columns: ["room", "time", "author", "nick", "body", "id"].map { ($0, $0.capitalized) },
                          rows: messages.map { [rooms[$0.room]?.name ?? $0.room, Timestamp.format($0.timestamp), $0.senderJID, $0.nick, $0.body, $0.stanzaID] })
    }
}
