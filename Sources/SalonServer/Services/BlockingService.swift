import Logging
import SalonStore
import XMPPCore

/// XEP-0191 blocking command: the blocklist's get, block and unblock, stored in SalonStore and
/// cached for online accounts (`SessionRegistry`); enforcement is in `Router+Blocking.swift`.
final class BlockingService: Sendable {
    let database: any StoreBackend
    let sessions: SessionRegistry
    unowned let router: Router
    /// The most JIDs one blocklist may hold (`limits.max_blocklist_items`).
    let maxItems: Int
    let logger: Logger

    init(database: any StoreBackend, sessions: SessionRegistry, router: Router, maxItems: Int, logger: Logger) {
        self.database = database
        self.sessions = sessions
        self.router = router
        self.maxItems = maxItems
        self.logger = logger
    }

    /// Answers a blocklist request from one of the account's own resources.
    func handle(_ iq: Stanza, payload: XMLElement, session: ClientSession) -> RoutingFollowup? {
        switch (iq.type, payload.name) {
        case ("get", "blocklist"):
            sessions.updatePresence(of: session) { $0.wantsBlocklistPushes = true }
            let list = sessions.blocklist(of: session.jid.bare) ?? []
            session.deliver(iq.resultReply(Self.element("blocklist", list.sorted())))
        case ("set", "block"), ("set", "unblock"):
            let items = payload.children("item", namespace: Blocklist.ns)
            if payload.name == "block", items.isEmpty {
                session.deliver(iq.errorReply(StanzaError(.badRequest, text: "A block carries at least one item.")))
                return nil
            }
            guard items.count <= maxItems else {
                session.deliver(iq.errorReply(StanzaError(.notAllowed, text: "A blocklist holds at most \(maxItems) JIDs.")))
                return nil
            }
            var jids: [String] = []
            for item in items {
                guard let raw = item[attribute: "jid"], let jid = try? JID(raw) else {
                    session.deliver(iq.errorReply(StanzaError(.jidMalformed, text: "Each item needs a valid 'jid'.")))
                    return nil
                }
                jids.append(jid.description)
            }
            return { [self, jids] in
                if payload.name == "block" {
                    await block(jids, iq: iq, session: session)
                } else {
                    await unblock(jids, iq: iq, session: session)
                }
            }
        default:
            session.deliver(iq.errorReply(StanzaError(.badRequest, text: "Expected a blocklist get, or a block or unblock set.")))
        }
        return nil
    }

    private func block(_ jids: [String], iq: Stanza, session: ClientSession) async {
        let owner = session.jid.bare
        do {
            try await database.blocklists.block(owner: owner.description, jids: jids, limit: maxItems)
        } catch let error as StoreError where error.kind == .limitReached {
            logger.info("block refused", metadata: ["account": "\(owner)", "cause": "blocklist full", "max_blocklist_items": "\(maxItems)"])
            return session.deliver(iq.errorReply(StanzaError(.notAllowed, text: "Your blocklist is full: it holds at most \(maxItems) JIDs.")))
        } catch {
            logger.storageFailure("blocklist write failed", error, metadata: ["account": "\(owner)"])
            return session.deliver(iq.errorReply(StanzaError(.internalServerError)))
        }
        // Presence goes while the contact may still receive it: unavailable, from each resource.
        let blocked = Set(jids)
        for target in presenceTargets(of: owner, covered: blocked) {
            for resource in sessions.resources(of: owner) where resource.available {
                if let work = router.route(XMLElement("presence", namespace: NS.client, attributes: [
                    "type": "unavailable", "from": resource.session.jid.description, "to": target.description,
                ])) { await work() }
            }
        }
        sessions.updateBlocklist(of: owner) { $0.formUnion(blocked) }
        hideBlockedContacts(from: owner, covered: blocked)
        logger.info("blocklist changed", metadata: ["account": "\(owner)", "action": "block", "items": "\(jids.count)"])
        session.deliver(iq.resultReply(nil))
        push(Self.element("block", jids), to: owner)
    }

    private func unblock(_ jids: [String], iq: Stanza, session: ClientSession) async {
        let owner = session.jid.bare
        let removed: [String]
        do {
            removed = jids.isEmpty
                ? try await database.blocklists.unblockAll(owner: owner.description)
                : try await database.blocklists.unblock(owner: owner.description, jids: jids)
        } catch {
            logger.storageFailure("blocklist write failed", error, metadata: ["account": "\(owner)"])
            return session.deliver(iq.errorReply(StanzaError(.internalServerError)))
        }
        sessions.updateBlocklist(of: owner) { list in
            if jids.isEmpty { list.removeAll() } else { list.subtract(jids) }
        }
        logger.info("blocklist changed", metadata: ["account": "\(owner)", "action": "unblock", "items": "\(removed.count)"])
        session.deliver(iq.resultReply(nil))
        push(Self.element("unblock", jids), to: owner)
        await restorePresence(of: owner, covered: Set(removed))
    }

    /// Contacts covered by `items` that may see the owner's presence: subscribed ones and those
    /// it sent directed presence to.
    private func presenceTargets(of owner: JID, covered items: Set<String>) -> [JID] {
        var targets = Set<JID>()
        for item in (sessions.roster(of: owner) ?? [:]).values where item.subscription == "from" || item.subscription == "both" {
            if let jid = try? JID(item.jid), Blocklist.covers(items, jid) { targets.insert(jid) }
        }
        for resource in sessions.resources(of: owner) {
            targets.formUnion(resource.directedTo.filter { Blocklist.covers(items, $0) })
        }
        return targets.sorted()
    }

    /// Blocked local contacts now look offline to the owner's resources, as they will stay.
    private func hideBlockedContacts(from owner: JID, covered items: Set<String>) {
        let viewers = sessions.resources(of: owner).filter(\.available)
        for item in (sessions.roster(of: owner) ?? [:]).values {
            guard let contact = try? JID(item.jid), contact.domainpart == router.domain, Blocklist.covers(items, contact) else { continue }
            for resource in sessions.resources(of: contact) where resource.available && Blocklist.covers(items, resource.session.jid) {
                for viewer in viewers {
                    viewer.session.deliver(XMLElement("presence", namespace: NS.client, attributes: [
                        "type": "unavailable", "from": resource.session.jid.description, "to": viewer.session.jid.description,
                    ]))
                }
            }
        }
    }

    /// §3.4: the unblocked contacts get the owner's current presence again, and the owner
    /// theirs (by a probe, answered as any other).
    private func restorePresence(of owner: JID, covered items: Set<String>) async {
        guard !items.isEmpty else { return }
        for target in presenceTargets(of: owner, covered: items) where !router.blocksPresence(between: owner, and: target) {
            for resource in sessions.resources(of: owner) where resource.available {
                guard var presence = resource.lastPresence else { continue }
                presence[attribute: "from"] = resource.session.jid.description
                presence[attribute: "to"] = target.description
                if let work = router.route(presence) { await work() }
            }
        }
        for item in (sessions.roster(of: owner) ?? [:]).values where item.subscription == "to" || item.subscription == "both" {
            guard let contact = try? JID(item.jid), Blocklist.covers(items, contact),
                  !router.blocksPresence(between: owner, and: contact) else { continue }
            if let work = router.route(XMLElement("presence", namespace: NS.client, attributes: [
                "type": "probe", "from": owner.description, "to": contact.description,
            ])) { await work() }
        }
    }

    /// §3.3–3.5: every resource that asked for the list learns of the change.
    private func push(_ change: XMLElement, to owner: JID) {
        for resource in sessions.resources(of: owner) where resource.wantsBlocklistPushes {
            resource.session.deliver(XMLElement("iq", namespace: NS.client, attributes: [
                "type": "set", "id": "block-push-\(UInt32.random(in: 0 ... .max))", "to": resource.session.jid.description,
            ], children: [.element(change)]))
        }
    }

    private static func element(_ name: String, _ jids: [String]) -> XMLElement {
        XMLElement(name, namespace: Blocklist.ns, children: jids.map {
            .element(XMLElement("item", namespace: Blocklist.ns, attributes: ["jid": $0]))
        })
    }
}
