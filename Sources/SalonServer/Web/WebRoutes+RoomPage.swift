import Foundation
import Hummingbird
import PersistentChat
import SalonAdmin
import SalonStore

/// A room's page: what the user may see of it (PersistentChat's `access(of:to:)` decides each
/// part), its recent history and archive search for who may read it, and for its managers the
/// forms that change it.
extension WebRoutes {
    static let doneNotices = [
        "created": "The room is created.", "saved": "Settings saved.", "added": "Added.", "removed": "Removed.",
        "disabled": "The room is disabled.", "enabled": "The room is enabled.",
    ]

    func roomPage(_ request: Request, _ localpart: String, _ user: WebUser) async -> Response {
        let query = WebForm.query(request)
        return await roomPage(localpart, user, query: query, notice: query["done"].flatMap { Self.doneNotices[$0] })
    }

    /// The page, with a notice, or with the refusal of a change just submitted (and its status).
    func roomPage(_ localpart: String, _ user: WebUser, query: WebForm, notice: String? = nil, refusal: ChatRuleError? = nil,
                  preview: [String: Any]? = nil, removal: WebForm? = nil) async -> Response {
        let directory = muc.directory
        let localpart = localpart.lowercased()
        guard let room = directory.rooms[localpart] else {
            let error = refusal ?? ChatRuleError(.notFound, "Room \(localpart.prefix(80)) does not exist.")
            return pages.message("No such room", error.message, status: Self.status(of: error), user: user)
        }
        let access = directory.access(of: user.account, to: room)
        guard access.canSeeDetails || access.canManage else {
            let error = refusal ?? directory.denial(of: user.account, for: room, action: "see")
            return pages.message(error.kind == .notFound ? "No such room" : "Not allowed", error.message, status: Self.status(of: error), user: user)
        }
        var values: [String: Any?] = [
            "csrf": user.csrf, "localpart": room.localpart, "name": room.name,
            "description": room.description.isEmpty ? nil : room.description, "disabled": room.disabled,
            "address": "\(room.localpart)@\(muc.domain)", "joinLink": "xmpp:\(room.localpart)@\(muc.domain)?join",
            "category": room.category, "type": room.type.rawValue, "privacy": room.privacy.rawValue,
            "invitations": directory.effectiveInvitations(of: room) ? "on" : "off",
            "lists": lists(of: room, access: access, in: directory),
            "manage": access.canManage,
        ]
        if let name = room.addIn {
            let url = directory.addIns.values.first { $0.name.lowercased() == name.lowercased() }?.url
            values["addIn"] = WebPages.object(["addInName": name, "url": url])
        }
        if access.maySeeOccupants(asOccupant: false) {
            let nicks = await muc.occupantNicks(room.localpart)
            values["showOccupants"] = true
            values["hasOccupants"] = !nicks.isEmpty
            values["occupants"] = nicks
        }
        var shownError = refusal?.message
        if access.canRead, directory.keepsHistory(room) {
            values["readable"] = true
            do {
                var recent = ArchiveQuery(rooms: [room.localpart])
                recent.before = ""
                recent.max = configuration.pageSize
                let page = try await archive.query(recent)
                values["hasHistory"] = !page.messages.isEmpty
                values["history"] = page.messages.map(Self.message)
            } catch {
                values["historyNote"] = "The history could not be read."
            }
            if let words = query.text("q") {
                values["q"] = words
                do {
                    values["search"] = try await search(room.localpart, words: words, before: query["before"])
                } catch let failure as ArchiveError {
                    shownError = shownError ?? failure.message
                } catch {
                    shownError = shownError ?? "The archive could not be searched."
                }
            }
        } else if access.canRead {
            values["historyNote"] = "This room's category keeps no chat history."
        }
        if access.canManage { managementValues(room, directory, into: &values) }
        if access.canDelete {
            values["administer"] = true
            values["mayEditContent"] = directory.mayEditContent(user.account)
            removalValues(removal ?? WebForm(), preview: preview, into: &values)
        }
        return pages.page("room", title: room.name, values, user: user, notice: notice, error: shownError,
                          status: refusal.map(Self.status(of:)) ?? .ok)
    }

    /// One page of archive matches, newest first, with a link to the older ones.
    private func search(_ localpart: String, words: String, before: String?) async throws -> [String: Any] {
        var search = ArchiveQuery(rooms: [localpart])
        search.text = TextFilter(String(words.prefix(500)))
        search.includeRetracted = false
        search.before = before ?? ""
        search.max = configuration.pageSize
        let page = try await archive.query(search)
        var older: String?
        if !page.complete, let first = page.first {
            older = "/rooms/r/\(localpart)?q=\(Self.queryEscaped(words))&before=\(Self.queryEscaped(first))#search"
        }
        let summary = page.count == 0 ? "No message matches." : page.count == 1 ? "1 message matches." : "\(page.count) messages match."
        return WebPages.object(["summary": summary, "hasResults": !page.messages.isEmpty,
                                "results": page.messages.reversed().map(Self.message), "older": older])
    }

    static func message(_ message: StoredMessage) -> [String: Any] {
        let time = WebPages.times(message.timestamp)
        return ["when": time.shown, "iso": time.iso, "nick": message.nick, "body": message.body, "retracted": message.retracted]
    }

    /// Managers, members and presenters, each where the user may see it (RoomLists decides).
    private func lists(of room: Room, access: RoomAccess, in directory: ChatDirectory) -> [[String: Any]] {
        var lists: [[String: Any]] = []
        func add(_ role: RoomRole, _ title: String, _ entries: [Principal]?) {
            guard let entries else { return }
            lists.append(["key": role.rawValue, "title": title, "hasEntries": !entries.isEmpty, "entries": entries.map { ["principal": $0.description] },
                          "none": "Nobody.", "manage": access.canManage, "scope": Self.scopeHint(room, role, in: directory)])
        }
        add(.manager, "Managers", try? directory.principals(with: .manager, in: room, seenBy: access))
        if room.privacy != .open || !room.members.isEmpty {
            add(.member, "Members", try? directory.principals(with: .member, in: room, seenBy: access))
        }
        if room.type == .auditorium || !room.presenters.isEmpty {
            add(.presenter, "Presenters", access.canSeeDetails || access.canManage ? room.presenters : nil)
        }
        return lists
    }

    /// The scope rule as it applies to a list of this room, shown next to its field.
    static func scopeHint(_ room: Room, _ role: RoomRole, in directory: ChatDirectory) -> String {
        guard let category = directory.category(named: room.category) else { return "" }
        func names(_ list: [Principal]) -> String {
            guard !list.isEmpty else { return "none" }
            let shown = list.prefix(10).map(\.description).joined(separator: ", ")
            return list.count > 10 ? "\(shown) and \(list.count - 10) more" : shown
        }
        var text = "Only principals in the scope of category \(category.name) (AllowedMembers − DeniedMembers; deny wins): "
            + "allowed \(names(category.allowed)); denied \(names(category.denied))."
        switch role {
        case .member where room.privacy == .open: text += " An Open room has no member list."
        case .presenter: text += " Presenters speak in an auditorium; each must be a member unless the room is Open."
        default: break
        }
        return text
    }

    private func managementValues(_ room: Room, _ directory: ChatDirectory, into values: inout [String: Any?]) {
        values["categoryOptions"] = WebPages.options(directory.categories.values.map(\.name).sorted { $0.lowercased() < $1.lowercased() },
                                                     selected: room.category)
        values["typeOptions"] = WebPages.options(RoomType.allCases.map(\.rawValue), selected: room.type.rawValue)
        values["privacyOptions"] = WebPages.options(RoomPrivacy.allCases.map(\.rawValue), selected: room.privacy.rawValue)
        values["invitationOptions"] = WebPages.options(RoomInvitations.allCases.map(\.rawValue), selected: room.invitations.rawValue)
        values["addInOptions"] = WebPages.options(["none"] + directory.addIns.values.map(\.name).sorted(), selected: room.addIn ?? "none")
    }

    /// The message-removal form as submitted (or blank), and the preview of what it matches.
    private func removalValues(_ form: WebForm, preview: [String: Any]?, into values: inout [String: Any?]) {
        values["preview"] = preview
        values["rmAuthors"] = form["authors"]
        values["rmFrom"] = form["from"]
        values["rmTo"] = form["to"]
        values["rmKeywords"] = form["keywords"]
        values["rmCase"] = form["case-sensitive"] == "yes"
        values["rmReplacement"] = form["replacement"] ?? ArchiveAdministration.defaultReplacement
        values["matchOptions"] = WebPages.options(TextMatch.allCases.map(\.rawValue), selected: form["match"] ?? TextMatch.all.rawValue)
        values["actionOptions"] = WebPages.options(["replace", "delete"], selected: form["action"] ?? "replace")
    }
}
