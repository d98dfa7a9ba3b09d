import SalonStore
import XMPPCore

/// Keeps the three places clients keep bookmarks in agreement (XEP-0402 §5.3): the XEP-0402
/// node (one item per room, the reference), XEP-0048 `storage:bookmarks` in private storage
/// (XEP-0049) and XEP-0048 in its PEP node. A change in any one is carried to the other two,
/// each write made directly so it does not come back as a change.
struct BookmarkSync: Sendable {
    unowned let pep: PEPService

    enum Source { case privateStorage, pep }

    /// One bookmarked room, in either format.
    struct Bookmark: Equatable {
        var jid: String
        var name: String?
        var autojoin: Bool
        var nick: String?
        var password: String?
    }

    /// XEP-0402 §3 node options.
    static let modernOptions = options(maxItems: "max")
    /// XEP-0048 §3 (XEP-0223) node options.
    static let legacyOptions = options(maxItems: "1")

    private static func options(maxItems: String) -> DataForm {
        DataForm(type: .submit, formType: PubSub.publishOptions, fields: [
            DataForm.Field("pubsub#persist_items", values: ["true"]),
            DataForm.Field("pubsub#max_items", values: [maxItems]),
            DataForm.Field("pubsub#send_last_published_item", values: ["never"]),
            DataForm.Field("pubsub#access_model", values: ["whitelist"]),
        ])
    }

    // MARK: Hooks

    func published(node: String, payload: XMLElement, owner: JID) async {
        if node == PersonalStorage.bookmarks {
            await modernChanged(owner: owner)
        } else if node == PersonalStorage.legacyBookmarks, payload.name == "storage", payload.namespace == PersonalStorage.legacyBookmarks {
            await legacyStored(payload, owner: owner, via: .pep)
        }
    }

    func retracted(node: String, owner: JID) async {
        if node == PersonalStorage.bookmarks { await modernChanged(owner: owner) }
    }

    /// XEP-0402 items changed: rewrite both XEP-0048 copies from them (URLs in private storage kept).
    func modernChanged(owner: JID) async {
        let items = (try? await pep.database.pep.items(owner: owner.description, node: PersonalStorage.bookmarks)) ?? []
        let bookmarks = items.compactMap { item in PEPService.parse(item.payload).flatMap { Self.modern($0, id: item.id) } }
        let previous = await privateStorage(owner: owner)
        let urls = previous?.children("url", namespace: PersonalStorage.legacyBookmarks) ?? []
        let storage = Self.legacy(bookmarks, urls: urls)
        await storePrivately(storage, owner: owner)
        await publishLegacy(storage, owner: owner)
    }

    /// A XEP-0048 storage element was written by a client: make the XEP-0402 items match it
    /// and copy it to the other XEP-0048 place.
    func legacyStored(_ storage: XMLElement, owner: JID, via source: Source) async {
        var wanted: [String: Bookmark] = [:]
        for conference in storage.children("conference", namespace: PersonalStorage.legacyBookmarks) {
            guard wanted.count < pep.limits.pepItemsPerNode,
                  let bookmark = Self.legacy(conference), (try? JID(bookmark.jid))?.resourcepart == nil else { continue }
            wanted[bookmark.jid] = bookmark
        }
        let items = (try? await pep.database.pep.items(owner: owner.description, node: PersonalStorage.bookmarks)) ?? []
        var current: [String: (Bookmark?, XMLElement?)] = [:]
        for item in items {
            let payload = PEPService.parse(item.payload)
            current[item.id] = (payload.flatMap { Self.modern($0, id: item.id) }, payload)
        }
        for (jid, bookmark) in wanted.sorted(by: { $0.key < $1.key }) where current[jid]?.0 != bookmark {
            let extensions = current[jid]?.1?.child("extensions", namespace: PersonalStorage.bookmarks)
            await publish(owner: owner, node: PersonalStorage.bookmarks, id: jid, payload: Self.modern(bookmark, extensions: extensions),
                          options: Self.modernOptions)
        }
        let gone = current.keys.filter { wanted[$0] == nil }.sorted()
        if !gone.isEmpty {
            try? await pep.retract(owner: owner, node: PersonalStorage.bookmarks, itemIDs: gone, notify: true)
        }
        switch source {
        case .privateStorage: await publishLegacy(storage, owner: owner)
        case .pep: await storePrivately(storage, owner: owner)
        }
    }

    /// Adds one XEP-0402 bookmark (a server-made one: an accepted invitation) and carries it
    /// to the XEP-0048 copies; false if it could not be published.
    func add(_ bookmark: Bookmark, owner: JID) async -> Bool {
        guard await publish(owner: owner, node: PersonalStorage.bookmarks, id: bookmark.jid, payload: Self.modern(bookmark, extensions: nil),
                            options: Self.modernOptions) else { return false }
        await modernChanged(owner: owner)
        return true
    }

    // MARK: Writes

    private func publishLegacy(_ storage: XMLElement, owner: JID) async {
        await publish(owner: owner, node: PersonalStorage.legacyBookmarks, id: "current", payload: storage, options: Self.legacyOptions)
    }

    /// Publishes with the format's options, or without them when a client made the node otherwise.
    @discardableResult
    private func publish(owner: JID, node: String, id: String, payload: XMLElement, options: DataForm) async -> Bool {
        do throws(StanzaError) {
            try await pep.publish(owner: owner, node: node, itemID: id, payload: payload, preferring: options)
            return true
        } catch {
            pep.logger.notice("bookmark sync failed", metadata: ["account": "\(owner)", "node": "\(node)", "cause": "\(error.text ?? "\(error.condition)")"])
            return false
        }
    }

    private func privateStorage(owner: JID) async -> XMLElement? {
        let stored = try? await pep.database.privateStorage.element(owner: owner.description, namespace: PersonalStorage.legacyBookmarks)
        return stored.flatMap { $0 }.flatMap { PEPService.parse($0) }
    }

    private func storePrivately(_ storage: XMLElement, owner: JID) async {
        do {
            try await pep.database.privateStorage.store(owner: owner.description, elements: [
                (namespace: PersonalStorage.legacyBookmarks, element: storage.serialized()),
            ], limits: pep.limits.privateStorage)
        } catch {
            pep.logger.notice("bookmark sync failed", metadata: ["account": "\(owner)", "node": "private storage", "cause": "\(error)"])
        }
    }

    // MARK: Formats

    /// A XEP-0402 `<conference/>` item payload.
    static func modern(_ conference: XMLElement, id: String) -> Bookmark? {
        guard conference.name == "conference", conference.namespace == PersonalStorage.bookmarks else { return nil }
        return Bookmark(jid: id, name: conference[attribute: "name"], autojoin: ["1", "true"].contains(conference[attribute: "autojoin"] ?? ""),
                        nick: conference.child("nick", namespace: PersonalStorage.bookmarks)?.text,
                        password: conference.child("password", namespace: PersonalStorage.bookmarks)?.text)
    }

    static func modern(_ bookmark: Bookmark, extensions: XMLElement?) -> XMLElement {
        var conference = XMLElement("conference", namespace: PersonalStorage.bookmarks,
                                    attributes: ["autojoin": bookmark.autojoin ? "true" : "false"])
        if let name = bookmark.name { conference[attribute: "name"] = name }
        for (tag, value) in [("nick", bookmark.nick), ("password", bookmark.password)] {
            guard let value else { continue }
            var child = XMLElement(tag, namespace: PersonalStorage.bookmarks)
            child.append(text: value)
            conference.append(child)
        }
        if let extensions { conference.append(extensions) }
        return conference
    }

    /// A XEP-0048 `<conference/>` of a storage element.
    static func legacy(_ conference: XMLElement) -> Bookmark? {
        guard let jid = conference[attribute: "jid"], !jid.isEmpty, jid.utf8.count <= PersonalDataLimits.maxIdentifierBytes else { return nil }
        return Bookmark(jid: jid, name: conference[attribute: "name"], autojoin: ["1", "true"].contains(conference[attribute: "autojoin"] ?? ""),
                        nick: conference.child("nick", namespace: PersonalStorage.legacyBookmarks)?.text,
                        password: conference.child("password", namespace: PersonalStorage.legacyBookmarks)?.text)
    }

    static func legacy(_ bookmarks: [Bookmark], urls: [XMLElement]) -> XMLElement {
        var storage = XMLElement("storage", namespace: PersonalStorage.legacyBookmarks)
        for bookmark in bookmarks {
            var conference = XMLElement("conference", namespace: PersonalStorage.legacyBookmarks,
                                        attributes: ["jid": bookmark.jid, "autojoin": bookmark.autojoin ? "true" : "false"])
            if let name = bookmark.name { conference[attribute: "name"] = name }
            for (tag, value) in [("nick", bookmark.nick), ("password", bookmark.password)] {
                guard let value else { continue }
                var child = XMLElement(tag, namespace: PersonalStorage.legacyBookmarks)
                child.append(text: value)
                conference.append(child)
            }
            storage.append(conference)
        }
        for url in urls { storage.append(url) }
        return storage
    }
}
