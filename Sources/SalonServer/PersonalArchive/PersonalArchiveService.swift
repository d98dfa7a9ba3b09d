import Foundation
import Logging
import SalonStore
import XMPPCore

/// XEP-0313 on an account's bare JID (or an iq without `to`): the account's own archive,
/// queried with the rooms' form, paging and full-text search (`MAMRequest`, `MAMResponder`),
/// its metadata, and its XEP-0441 preferences. Only the account itself reads it.
struct PersonalArchiveService: Sendable {
    let store: any PersonalArchiveStore
    /// The context owns the router, which reaches this service (a strong reference would be a cycle).
    unowned let router: Router
    let logger: Logger

    /// What the account's disco#info lists for its archive.
    static let features = [MAM.ns, MAM.extended, MUC.stanzaID, "urn:xmpp:fulltext:0"]

    func handle(_ iq: Stanza, payload: XMLElement, owner: JID, from: JID) -> RoutingFollowup? {
        guard from.bare == owner else {
            router.bounce(iq, StanzaError(.forbidden, text: "The archive is the account's own."), target: owner)
            return nil
        }
        switch (iq.type, payload.name) {
        case ("get", "query"):
            var query = XMLElement("query", namespace: MAM.ns)
            query.append(MAMRequest.fieldsForm(searchFields: false).element)
            answer(iq, query, as: owner)
        case ("set", "query"):
            return query(iq, payload, owner: owner)
        case ("get", "metadata"):
            return metadata(iq, owner: owner)
        case ("get", "prefs"):
            return { [self] in
                do {
                    answer(iq, ArchivePreferencesElement.element(try await store.preferences(owner: owner.description)), as: owner)
                } catch {
                    fail(iq, owner: owner, error, "archive preferences read failed")
                }
            }
        case ("set", "prefs"):
            return setPreferences(iq, payload, owner: owner)
        default:
            router.bounce(iq, StanzaError(.featureNotImplemented), target: owner)
        }
        return nil
    }

    private func query(_ iq: Stanza, _ payload: XMLElement, owner: JID) -> RoutingFollowup? {
        let request: MAMRequest
        do {
            request = try MAMRequest(payload, rooms: [owner.description], searchFields: false, withResource: true)
        } catch {
            router.bounce(iq, error, target: owner)
            return nil
        }
        let responder = MAMResponder(router: router, archiveJID: owner.description)
        return { [self] in
            do {
                responder.respond(to: iq, request: request, page: try await store.query(request.query))
            } catch {
                router.bounce(iq, MAMResponder.stanzaError(error), target: owner)
            }
        }
    }

    private func metadata(_ iq: Stanza, owner: JID) -> RoutingFollowup? {
        { [self] in
            do {
                let (first, last) = try await store.bounds(owner: owner.description)
                answer(iq, MAMResponder.metadata(first: first, last: last), as: owner)
            } catch {
                router.bounce(iq, MAMResponder.stanzaError(error), target: owner)
            }
        }
    }

    private func setPreferences(_ iq: Stanza, _ payload: XMLElement, owner: JID) -> RoutingFollowup? {
        let preferences: ArchivePreferences
        do {
            preferences = try ArchivePreferencesElement.parse(payload)
        } catch {
            router.bounce(iq, error, target: owner)
            return nil
        }
        return { [self] in
            do {
                let stored = try await store.setPreferences(owner: owner.description, preferences)
                logger.info("archive preferences set", metadata: [
                    "account": "\(owner)", "default": "\(stored.default.rawValue)",
                    "always": "\(stored.always.count)", "never": "\(stored.never.count)",
                ])
                answer(iq, ArchivePreferencesElement.element(stored), as: owner)
            } catch {
                fail(iq, owner: owner, error, "archive preferences write failed")
            }
        }
    }

    private func answer(_ iq: Stanza, _ payload: XMLElement, as owner: JID) {
        var reply = iq.resultReply(payload)
        reply[attribute: "from"] = owner.description
        _ = router.route(reply)
    }

    private func fail(_ iq: Stanza, owner: JID, _ error: any Error, _ event: Logger.Message) {
        logger.error(event, metadata: ["account": "\(owner)", "cause": "\(error)"])
        router.bounce(iq, StanzaError(.internalServerError, type: .wait), target: owner)
    }
}

/// The XEP-0441 `<prefs/>` element, read and written.
enum ArchivePreferencesElement {
    static func element(_ preferences: ArchivePreferences) -> XMLElement {
        var prefs = XMLElement("prefs", namespace: MAM.ns, attributes: ["default": preferences.default.rawValue])
        for (name, jids) in [("always", preferences.always), ("never", preferences.never)] {
            var list = XMLElement(name, namespace: MAM.ns)
            for jid in jids { list.append(XMLElement("jid", namespace: MAM.ns, children: [.text(jid)])) }
            prefs.append(list)
        }
        return prefs
    }

    /// A `<prefs/>` set: `default` required, missing lists empty, every JID valid (kept as the
    /// normalised JID), at most `ArchivePreferences.maxJIDs` of them.
    static func parse(_ prefs: XMLElement) throws(StanzaError) -> ArchivePreferences {
        guard let value = prefs[attribute: "default"], let mode = ArchivePreferences.Default(rawValue: value) else {
            throw StanzaError(.badRequest, text: "'default' must be always, never or roster.")
        }
        var lists: [[String]] = []
        var total = 0
        for name in ["always", "never"] {
            let jids = prefs.child(name, namespace: MAM.ns)?.children("jid", namespace: MAM.ns) ?? []
            total += jids.count
            guard total <= ArchivePreferences.maxJIDs else {
                throw StanzaError(.notAcceptable, text: "At most \(ArchivePreferences.maxJIDs) JIDs in the preferences.")
            }
            var list: [String] = []
            for jid in jids {
                guard let parsed = try? JID(jid.text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                    throw StanzaError(.jidMalformed, text: "\(jid.text.prefix(64)) is not a JID.")
                }
                list.append(parsed.description)
            }
            lists.append(list)
        }
        return ArchivePreferences(default: mode, always: lists[0], never: lists[1])
    }
}
