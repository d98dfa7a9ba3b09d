import Logging
import SalonStore
import XMPPCore

/// XEP-0049 private XML storage: each account keeps elements by namespace, readable only by
/// itself. A change to `storage:bookmarks` is passed on to the bookmark sync (XEP-0402 #compat).
final class PrivateStorageService: Sendable {
    let database: any StoreBackend
    let logger: Logger
    /// Set once at start: bookmarks written here are mirrored to PEP.
    let bookmarks: BookmarkSync

    /// Namespaces no client may store under (XEP-0049 §3: the stream's own namespaces).
    static let reserved: Set<String> = [NS.client, NS.server, NS.component, PersonalStorage.privateXML]

    init(database: any StoreBackend, bookmarks: BookmarkSync, logger: Logger) {
        self.database = database
        self.bookmarks = bookmarks
        self.logger = logger
    }

    /// Answers a get or set from one of the owner's own resources (the caller checks that).
    func handle(_ iq: Stanza, query: XMLElement, owner: JID, reply: @escaping @Sendable (XMLElement) -> Void) -> RoutingFollowup? {
        let children = query.elements
        switch iq.type {
        case "get":
            guard children.count == 1, let wanted = children.first else {
                reply(iq.errorReply(StanzaError(.badRequest, text: "Ask for exactly one element.")))
                return nil
            }
            guard !Self.reserved.contains(wanted.namespace) else {
                reply(iq.errorReply(StanzaError(.notAcceptable, text: "That namespace is not private storage.")))
                return nil
            }
            return { [database] in
                do {
                    let stored = try await database.privateStorage.element(owner: owner.description, namespace: wanted.namespace)
                    let element = stored.flatMap { try? XMLStreamParser.parseStanza($0, namespace: wanted.namespace) }
                        ?? XMLElement(wanted.name, namespace: wanted.namespace)
                    reply(iq.resultReply(XMLElement("query", namespace: PersonalStorage.privateXML, children: [.element(element)])))
                } catch {
                    reply(iq.errorReply(StanzaError(.internalServerError)))
                }
            }
        case "set":
            let namespaces = children.map(\.namespace)
            guard !children.isEmpty, Set(namespaces).count == namespaces.count else {
                reply(iq.errorReply(StanzaError(.badRequest, text: "Store one or more elements, each in a namespace of its own.")))
                return nil
            }
            guard !namespaces.contains(where: Self.reserved.contains), !namespaces.contains("") else {
                reply(iq.errorReply(StanzaError(.notAcceptable, text: "That namespace is not private storage.")))
                return nil
            }
            let legacyBookmarks = children.first { $0.namespace == PersonalStorage.legacyBookmarks && $0.name == "storage" }
            let entries = children.map { (namespace: $0.namespace, element: $0.serialized()) }
            return { [self] in
                do {
                    try await database.privateStorage.store(owner: owner.description, elements: entries,
                                                            limits: bookmarks.pep.limits.privateStorage)
                    reply(iq.resultReply(nil))
                    if let legacyBookmarks {
                        await bookmarks.legacyStored(legacyBookmarks, owner: owner, via: .privateStorage)
                    }
                } catch let error as StoreError where error == .limitReached {
                    logger.notice("private storage full", metadata: ["account": "\(owner)", "cause": "\(error.message)"])
                    reply(iq.errorReply(StanzaError(.notAllowed, text: "Your private storage is full.")))
                } catch {
                    logger.storageFailure("private storage failed", error, metadata: ["account": "\(owner)"])
                    reply(iq.errorReply(StanzaError(.internalServerError)))
                }
            }
        default:
            reply(iq.errorReply(StanzaError(.badRequest)))
            return nil
        }
    }
}
