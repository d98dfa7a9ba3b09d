import Foundation
import Hummingbird
import PersistentChat
import SalonAdmin
import SalonStore
import XMPPCore

/// Removing or replacing a room's messages by filter (authors, dates, keywords), for who may
/// edit room content: first a preview of what matches (the archive query with the same
/// filter the removal uses), then the change, through `ArchiveAdministration.remove` as the
/// ad-hoc `message-remove` does.
extension WebRoutes {
    func addMessageRemoval(to rooms: RouterGroup<SalonRequestContext>) {
        rooms.post("r/:room/messages") { request, context in
            await self.action(request) { user, form in await self.removeMessages(context.parameters.get("room") ?? "", user, form) }
        }
    }

    /// A submitted removal: what it matches and how.
    struct MessageRemoval {
        var authors: [String]
        var from: Date?
        var to: Date?
        var text: TextFilter?
        /// nil deletes.
        var replacement: String?

        init(_ form: WebForm, userDomain: String) throws(ChatRuleError) {
            authors = []
            for line in (form["authors"] ?? "").split(whereSeparator: { $0.isNewline || $0 == "," }) {
                let text = line.trimmingCharacters(in: .whitespaces).lowercased()
                guard !text.isEmpty else { continue }
                let jid = text.contains("@") ? text : "\(text)@\(userDomain)"
                guard (try? JID(jid)) != nil else { throw ChatRuleError(.invalid, "\(text.prefix(300)) is not a valid JID.") }
                authors.append(jid)
            }
            from = try Self.date(form, "from", endOfDay: false)
            to = try Self.date(form, "to", endOfDay: true)
            if let keywords = form.text("keywords") {
                guard let match = TextMatch(rawValue: form["match"] ?? "all") else {
                    throw ChatRuleError(.invalid, "\((form["match"] ?? "").prefix(100)) is not a valid match.")
                }
                text = TextFilter(keywords, match: match, caseSensitive: form["case-sensitive"] == "yes")
            }
            switch form["action"] {
            case "delete": replacement = nil
            case "replace": replacement = form["replacement"] ?? ArchiveAdministration.defaultReplacement
            default: throw ChatRuleError(.invalid, "Action is delete or replace.")
            }
        }

        static func date(_ form: WebForm, _ key: String, endOfDay: Bool) throws(ChatRuleError) -> Date? {
            guard let value = form.text(key) else { return nil }
            if let date = Timestamp.parse(value) { return date }
            if let day = Timestamp.parse("\(value)T\(endOfDay ? "23:59:59.999" : "00:00:00")Z") { return day }
            throw ChatRuleError(.invalid, "\(value.prefix(100)) is not a date (2026-11-21 or 2026-11-21T18:00:00Z).")
        }
    }

    func removeMessages(_ localpart: String, _ user: WebUser, _ form: WebForm) async -> Response {
        let localpart = localpart.lowercased()
        guard muc.directory.mayEditContent(user.account) else {
            let error = ChatRuleError(.forbidden, "Only chat administrators remove or replace a room's messages.")
            logRefusal("messages removed", user, room: localpart, error)
            return await roomPage(localpart, user, query: WebForm(), refusal: error)
        }
        guard muc.directory.rooms[localpart] != nil else {
            return await roomPage(localpart, user, query: WebForm())
        }
        do {
            let removal = try MessageRemoval(form, userDomain: serverDomain)
            guard form["step"] == "apply" else {
                var query = ArchiveQuery(rooms: [localpart])
                query.authors = removal.authors
                query.start = removal.from
                query.end = removal.to
                query.text = removal.text
                query.includeRetracted = removal.replacement == nil
                query.before = ""
                query.max = configuration.pageSize
                let page = try await archive.query(query)
                let preview: [String: Any] = [
                    "summary": page.count == 1 ? "1 message matches." : "\(page.count) messages match.",
                    "hasResults": !page.messages.isEmpty, "results": page.messages.reversed().map(Self.message),
                    "shown": page.messages.count < page.count ? "The newest \(page.messages.count) are shown." : "",
                ]
                return await roomPage(localpart, user, query: WebForm(), preview: preview, removal: form)
            }
            let count = try await ArchiveAdministration(database: muc.database).remove(
                room: localpart, authors: removal.authors, from: removal.from, to: removal.to, text: removal.text,
                replacement: removal.replacement)
            await muc.pollOnce()
            logAction(removal.replacement == nil ? "messages deleted" : "messages replaced", user, room: localpart)
            return await roomPage(localpart, user, query: WebForm(),
                                  notice: removal.replacement == nil ? "Deleted \(count) messages." : "Replaced \(count) messages.")
        } catch let error as ChatRuleError {
            return await roomPage(localpart, user, query: WebForm(), refusal: error, removal: form)
        } catch let error as ArchiveError {
            return await roomPage(localpart, user, query: WebForm(), refusal: ChatRuleError(.invalid, error.message), removal: form)
        } catch {
            return storageFailure(user, error)
        }
    }
}
