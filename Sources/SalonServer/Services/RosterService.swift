import Logging
import SalonStore
import XMPPCore

/// RFC 6121 §2: roster get, set and push, persisted in SalonStore and cached for online accounts.
final class RosterService: Sendable {
    let database: any StoreBackend
    let sessions: SessionRegistry
    /// Pushes reach the owner's resources on other cluster nodes through it.
    unowned let router: Router
    let logger: Logger
    /// The most contacts one roster may hold (`limits.max_roster_items`).
    let maxItems: Int
    private let refusals = LogThrottle()

    /// A change that would add a contact to a full roster.
    struct RosterFull: Error {
        let maxItems: Int
        /// not-allowed rather than resource-constraint: waiting does not help, removing a contact does.
        var stanzaError: StanzaError {
            StanzaError(.notAllowed, text: "Your roster is full: it holds at most \(maxItems) contacts. Remove one first.")
        }
    }

    init(database: any StoreBackend, sessions: SessionRegistry, router: Router, maxItems: Int, logger: Logger) {
        self.database = database
        self.sessions = sessions
        self.router = router
        self.maxItems = maxItems
        self.logger = logger
    }

    /// Answers a roster get or set from one of the owner's own resources.
    func handle(_ iq: Stanza, query: XMLElement, session: ClientSession) -> RoutingFollowup? {
        let owner = session.jid.bare
        switch iq.type {
        case "get":
            return { [self] in
                do {
                    let items = try await database.rosters.items(owner: owner.description)
                    let version = try await database.rosters.version(owner: owner.description)
                    var result = XMLElement("query", namespace: NS.roster, attributes: ["ver": "\(version)"])
                    // RFC 6121 §2.6: an unchanged roster is answered with an empty result.
                    if query[attribute: "ver"] == "\(version)" {
                        session.deliver(iq.resultReply(nil))
                        return
                    }
                    for item in items { result.append(Self.element(for: item)) }
                    session.deliver(iq.resultReply(result))
                } catch {
                    session.deliver(iq.errorReply(StanzaError(.internalServerError)))
                }
            }
        case "set":
            let items = query.children("item", namespace: NS.roster)
            guard items.count == 1, let item = items.first, let raw = item[attribute: "jid"],
                  let contact = try? JID(raw) else {
                session.deliver(iq.errorReply(StanzaError(.badRequest, text: "A roster set carries exactly one item with a valid jid.")))
                return nil
            }
            if contact.bare == owner {
                session.deliver(iq.errorReply(StanzaError(.notAllowed, text: "You cannot add yourself to your roster.")))
                return nil
            }
            let groups = item.children("group", namespace: NS.roster).map(\.text)
            if Set(groups).count != groups.count || groups.contains(where: \.isEmpty) {
                session.deliver(iq.errorReply(StanzaError(.badRequest, text: "Roster groups must be unique and non-empty.")))
                return nil
            }
            let remove = item[attribute: "subscription"] == "remove"
            return { [self] in
                do {
                    if remove {
                        guard try await database.rosters.remove(owner: owner.description, jid: contact.bare.description) != nil else {
                            session.deliver(iq.errorReply(StanzaError(.itemNotFound)))
                            return
                        }
                        session.deliver(iq.resultReply(nil))
                        await push(owner: owner, jid: contact.bare.description, item: nil)
                    } else {
                        let existing = try await database.rosters.item(owner: owner.description, jid: contact.bare.description)
                        var updated = existing ?? RosterItem(jid: contact.bare.description)
                        updated.name = item[attribute: "name"].flatMap { $0.isEmpty ? nil : $0 }
                        updated.groups = groups
                        _ = try await upsert(owner: owner, item: updated)
                        session.deliver(iq.resultReply(nil))
                        await push(owner: owner, jid: updated.jid, item: updated)
                    }
                } catch let full as RosterFull {
                    session.deliver(iq.errorReply(full.stanzaError))
                } catch {
                    logger.storageFailure("roster set failed", error)
                    session.deliver(iq.errorReply(StanzaError(.internalServerError)))
                }
            }
        default:
            session.deliver(iq.errorReply(StanzaError(.badRequest)))
            return nil
        }
    }

    /// Changes one item by `change` (nil result: leave it untouched), persists and pushes it.
    /// Returns the item after the change; throws RosterFull, changing nothing, when it would
    /// add a contact to a full roster.
    @discardableResult
    func update(owner: JID, contact: JID, _ change: @Sendable (RosterItem?) -> RosterItem?) async throws(RosterFull) -> RosterItem? {
        do {
            let key = contact.bare.description
            let current = try await database.rosters.item(owner: owner.description, jid: key)
            guard let updated = change(current), updated != current else { return current }
            _ = try await upsert(owner: owner, item: updated)
            await push(owner: owner, jid: key, item: updated)
            return updated
        } catch let full as RosterFull {
            throw full
        } catch {
            logger.storageFailure("roster update failed", error)
            return nil
        }
    }

    /// Stores an item under the roster cap, logging (throttled) a refusal with the account.
    private func upsert(owner: JID, item: RosterItem) async throws -> Int {
        do {
            return try await database.rosters.upsert(owner: owner.description, item: item, maxItems: maxItems)
        } catch let error as StoreError where error == .limitReached {
            if refusals.shouldLog(owner.description) {
                logger.notice("roster full: contact refused", metadata: [
                    "account": "\(owner)", "contact": "\(item.jid)", "max_roster_items": "\(maxItems)",
                ])
            }
            throw RosterFull(maxItems: maxItems)
        }
    }

    /// Sends a roster push to every resource of the owner and refreshes the cache. Resources on
    /// other cluster nodes get theirs through the links, and their nodes refresh their cache
    /// from the database as it arrives (`Router.deliverToSession`).
    func push(owner: JID, jid: String, item: RosterItem?) async {
        sessions.updateRoster(of: owner, item: item, jid: jid)
        let version = (try? await database.rosters.version(owner: owner.description)) ?? 0
        var query = XMLElement("query", namespace: NS.roster, attributes: ["ver": "\(version)"])
        query.append(item.map(Self.element(for:)) ?? XMLElement("item", namespace: NS.roster, attributes: ["jid": jid, "subscription": "remove"]))
        func push(to resource: JID) -> XMLElement {
            XMLElement("iq", namespace: NS.client, attributes: [
                "type": "set", "id": "push-\(UInt32.random(in: 0 ... .max))", "to": resource.description,
            ], children: [.element(query)])
        }
        for resource in sessions.resources(of: owner) {
            resource.session.deliver(push(to: resource.session.jid))
        }
        guard let cluster = router.cluster else { return }
        for resource in cluster.remote.resources(of: owner) {
            cluster.forward(push(to: resource.jid), to: resource, from: owner, deliverOnly: true)
        }
    }

    static func element(for item: RosterItem) -> XMLElement {
        var attributes = ["jid": item.jid, "subscription": item.subscription]
        if let name = item.name { attributes["name"] = name }
        if item.ask { attributes["ask"] = "subscribe" }
        var element = XMLElement("item", namespace: NS.roster, attributes: attributes)
        for group in item.groups {
            var g = XMLElement("group", namespace: NS.roster)
            g.append(text: group)
            element.append(g)
        }
        return element
    }
}
