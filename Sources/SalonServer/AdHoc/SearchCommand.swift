import Foundation
import PersistentChat
import SalonStore
import XMPPCore

/// The ad-hoc "search" command on the chat service: the same search as MAM on the service JID,
/// for clients without MAM forms. Results are a table tagged with each message's room.
struct SearchCommand: AdHocCommand {
    let node = "search"
    let name = "Search persistent chat"
    unowned let service: MUCService

    func mayRun(_ user: String) -> Bool { service.directory.isEnabled(user: user) }

    func run(form: DataForm?, user: String) async -> AdHocStep {
        guard let form else {
            return .form(DataForm(type: .form, title: "Search persistent chat", instructions: "Every field is optional except the keywords.", fields: [
                DataForm.Field("keywords", type: "text-single", label: "Keywords", required: true),
                DataForm.Field("match", type: "list-single", label: "Match", values: ["all"],
                               options: TextMatch.allCases.map { (label: $0.rawValue, value: $0.rawValue) }),
                DataForm.Field("case-sensitive", type: "boolean", label: "Case sensitive", values: ["0"]),
                DataForm.Field("authors", type: "jid-multi", label: "Authors"),
                DataForm.Field("start", type: "text-single", label: "From (UTC, 2026-11-21T00:00:00Z)"),
                DataForm.Field("end", type: "text-single", label: "To (UTC)"),
                DataForm.Field("max", type: "text-single", label: "At most", values: ["50"]),
            ]))
        }
        let rooms = service.searchableRooms(for: user)
        var query = ArchiveQuery(rooms: rooms)
        guard let keywords = form.values("keywords").first, !keywords.trimmingCharacters(in: .whitespaces).isEmpty else {
            return .failed(StanzaError(.badRequest, text: "Give the keywords to search for."))
        }
        guard let match = TextMatch(rawValue: (form.values("match").first ?? "all").lowercased()) else {
            return .failed(StanzaError(.badRequest, text: "Match is all, any or exact."))
        }
        query.text = TextFilter(keywords, match: match, caseSensitive: form.bool("case-sensitive") ?? false)
        query.authors = form.values("authors").compactMap { try? JID($0).bare.description }
        if let start = form.values("start").first, !start.isEmpty {
            guard let date = Timestamp.parse(start) else { return .failed(StanzaError(.badRequest, text: "'From' is not a date-time.")) }
            query.start = date
        }
        if let end = form.values("end").first, !end.isEmpty {
            guard let date = Timestamp.parse(end) else { return .failed(StanzaError(.badRequest, text: "'To' is not a date-time.")) }
            query.end = date
        }
        query.max = min(1000, max(1, Int(form.values("max").first ?? "50") ?? 50))
        query.before = ""
        guard !rooms.isEmpty else { return .completed(resultForm([], rooms: service.directory), note: "No room to search.") }
        do {
            let page = try await service.database.archive.query(query)
            return .completed(resultForm(page.messages, rooms: service.directory), note: "\(page.count) messages match; showing the last \(page.messages.count).")
        } catch {
            return .failed(MAMResponder.stanzaError(error))
        }
    }

    private func resultForm(_ messages: [StoredMessage], rooms: ChatDirectory) -> DataForm {
        var x = DataForm(type: .result, title: "Search results")
        x.reported = ["room", "time", "author", "nick", "body", "id"].map { DataForm.Field($0, label: $0.capitalized) }
        x.items = messages.map { message in
            [
                DataForm.Field("room", values: [rooms.rooms[message.room]?.name ?? message.room]),
                DataForm.Field("time", values: [Timestamp.format(message.timestamp)]),
                DataForm.Field("author", values: [message.senderJID]),
                DataForm.Field("nick", values: [message.nick]),
                DataForm.Field("body", values: [message.body]),
                DataForm.Field("id", values: [message.stanzaID]),
            ]
        }
        return x
    }
}
