import Logging
import NIOCore
import SalonStore
import Synchronization
import XMPPCore

/// XEP-0357 push notifications: devices register a push service (`<enable/>`, `<disable/>`,
/// stored per account, service and node), and the server publishes a summary to each of an
/// account's registrations when something worth waking a device arrives while no session
/// receives it. The entry point for that is `notify(account:stanza:roomNick:)`.
final class PushService: Sendable {
    static let ns = "urn:xmpp:push:0"
    static let summary = "urn:xmpp:push:summary"
    /// Serialised bytes of the publish-options form one registration may carry.
    static let maxOptionsBytes = 4096

    struct Settings: Sendable {
        /// Registrations one account may keep (`limits.push_registrations`).
        var maxRegistrations: Int
        /// Notifications one registration is sent at once, then per minute (`limits.push_burst`,
        /// `limits.push_per_minute`); more are not sent (the device, once awake, fetches everything).
        var burst: Int
        var perMinute: Int
        /// Whether `last-message-body` is sent (`push.include_body`): off, the push service and the
        /// phone vendor's relay learn who wrote, not what.
        var includeBody: Bool
    }

    let domain: String
    let database: any StoreBackend
    let sessions: SessionRegistry
    unowned let router: Router
    let settings: Settings
    let logger: Logger
    let cache = PushRegistrationCache()
    private let buckets = Mutex<[RegistrationKey: TokenBucket]>([:])
    /// Registrations whose push service answered with an error, until their row is deleted:
    /// nothing more is published to them from the moment the error arrives.
    private let failed = Mutex<Set<RegistrationKey>>([])
    /// Buckets remembered at once; past it, full ones (nothing recent) are forgotten.
    private static let maxBuckets = 10_000

    private struct RegistrationKey: Hashable {
        let owner: String
        let service: String
        let node: String

        init(owner: String, _ registration: PushRegistration) {
            self.owner = owner
            service = registration.service
            node = registration.node
        }
    }

    init(domain: String, database: any StoreBackend, sessions: SessionRegistry, router: Router, settings: Settings, logger: Logger) {
        self.domain = domain
        self.database = database
        self.sessions = sessions
        self.router = router
        self.settings = settings
        self.logger = logger
    }

    // MARK: Enabling and disabling (XEP-0357 §5, §6)

    /// An `<enable/>` or `<disable/>` from one of the account's own resources.
    func handle(_ iq: Stanza, payload: XMLElement, session: ClientSession) -> RoutingFollowup? {
        let owner = session.jid.bare.description
        do throws(StanzaError) {
            switch (iq.type, payload.name) {
            case ("set", "enable"):
                let registration = try Self.registration(payload)
                return { [self] in await enable(registration, owner: owner, iq: iq, session: session) }
            case ("set", "disable"):
                let service = try Self.service(payload)
                let node = try payload[attribute: "node"].map { node throws(StanzaError) in try Self.node(node) }
                return { [self] in await disable(service: service, node: node, owner: owner, iq: iq, session: session) }
            default:
                throw StanzaError(.badRequest, text: "Expected an enable or disable set.")
            }
        } catch {
            session.deliver(iq.errorReply(error))
            return nil
        }
    }

    private func enable(_ registration: PushRegistration, owner: String, iq: Stanza, session: ClientSession) async {
        do {
            defer { cache.forget(owner: owner) }
            try await database.push.enable(owner: owner, registration, limit: settings.maxRegistrations)
        } catch let error as StoreError where error.kind == .limitReached {
            logger.info("push enable refused", metadata: ["account": "\(owner)", "service": "\(registration.service)",
                                                          "cause": "registrations full", "push_registrations": "\(settings.maxRegistrations)"])
            return session.deliver(iq.errorReply(StanzaError(
                .notAllowed, text: "This account already has \(settings.maxRegistrations) push registrations; disable one first.")))
        } catch {
            logger.storageFailure("push registration write failed", error, metadata: ["account": "\(owner)"])
            return session.deliver(iq.errorReply(StanzaError(.internalServerError)))
        }
        // The node and options are the device's token and secret: never logged.
        logger.info("push enabled", metadata: ["account": "\(owner)", "service": "\(registration.service)"])
        session.deliver(iq.resultReply(nil))
    }

    private func disable(service: String, node: String?, owner: String, iq: Stanza, session: ClientSession) async {
        do {
            defer { cache.forget(owner: owner) }
            let removed = try await database.push.disable(owner: owner, service: service, node: node)
            logger.info("push disabled", metadata: ["account": "\(owner)", "service": "\(service)", "registrations": "\(removed)"])
            session.deliver(iq.resultReply(nil))
        } catch {
            logger.storageFailure("push registration write failed", error, metadata: ["account": "\(owner)"])
            session.deliver(iq.errorReply(StanzaError(.internalServerError)))
        }
    }

    private static func registration(_ enable: XMLElement) throws(StanzaError) -> PushRegistration {
        let service = try service(enable)
        let node = try node(enable[attribute: "node"] ?? "")
        let forms = enable.children("x", namespace: DataForm.namespace)
        guard forms.count <= 1 else { throw StanzaError(.badRequest, text: "At most one publish-options form.") }
        guard let x = forms.first else { return PushRegistration(service: service, node: node) }
        guard let form = DataForm(x), form.type == .submit, form.formType == PubSub.publishOptions else {
            throw StanzaError(.badRequest, text: "The form must be a submitted \(PubSub.publishOptions) form.")
        }
        let options = form.element.serialized()
        guard options.utf8.count <= maxOptionsBytes else {
            throw StanzaError(.notAcceptable, text: "The publish options are larger than \(maxOptionsBytes) bytes.")
        }
        return PushRegistration(service: service, node: node, options: options)
    }

    private static func service(_ element: XMLElement) throws(StanzaError) -> String {
        guard let raw = element[attribute: "jid"], !raw.isEmpty else { throw StanzaError(.badRequest, text: "Name the push service in 'jid'.") }
        guard let jid = try? JID(raw) else { throw StanzaError(.jidMalformed, text: "The push service's 'jid' is not a JID.") }
        return jid.description
    }

    private static func node(_ node: String) throws(StanzaError) -> String {
        guard node.utf8.count <= PersonalDataLimits.maxIdentifierBytes else {
            throw StanzaError(.notAcceptable, text: "That node is longer than \(PersonalDataLimits.maxIdentifierBytes) bytes.")
        }
        return node
    }

    /// XEP-0357 §8: a push service that stops accepting notifications for the account may say so
    /// with an affiliation change to the account's bare JID; the registrations with that service
    /// and node end (as mod_cloud_notify does, the message goes no further). Nil when the message
    /// is not that. Its sender was stamped by the server, so only the service itself can say it.
    func affiliationRevoked(_ stanza: Stanza, to: JID, from: JID) -> RoutingFollowup? {
        guard stanza.kind == .message, to.resourcepart == nil,
              let pubsub = stanza.element.child("pubsub", namespace: PubSub.ns), let node = pubsub[attribute: "node"],
              let affiliation = pubsub.child("affiliation", namespace: PubSub.ns), affiliation[attribute: "affiliation"] == "none",
              let jid = affiliation[attribute: "jid"].flatMap({ try? JID($0) }), jid.bare == to.bare else { return nil }
        let owner = to.bare.description
        return { [self] in
            do {
                defer { cache.forget(owner: owner) }
                let removed = try await database.push.disable(owner: owner, service: from.description, node: node)
                guard removed > 0 else { return }
                logger.notice("push registration disabled", metadata: ["account": "\(owner)", "service": "\(from)",
                                                                       "cause": "affiliation removed by the service"])
            } catch {
                logger.storageFailure("push registration write failed", error, metadata: ["account": "\(owner)"])
            }
        }
    }

    // MARK: Notifying (XEP-0357 §7)

    /// Publishes a notification to every push registration of `account` when `stanza` is worth
    /// waking a device for (`PushWorthiness`). Call it for a stanza no session of the account
    /// received: stored offline (the router does), or queued for a detached stream-management
    /// session. `roomNick` is the account's nickname in the room a groupchat message comes
    /// from, when known: a room message wakes the device only per the room's notification
    /// setting in the account's bookmark (`RoomNotificationSetting`).
    func notify(account: JID, stanza: XMLElement, roomNick: String? = nil) async {
        guard let message = PushWorthiness.subject(of: stanza) else { return }
        let owner = account.bare.description
        let registrations: [PushRegistration]
        do {
            registrations = try await cache.registrations(owner: owner) { try await database.push.registrations(owner: owner) }
        } catch {
            logger.storageFailure("push registrations unreadable", error, metadata: ["account": "\(owner)"])
            return
        }
        guard !registrations.isEmpty else { return }
        let sender = message[attribute: "from"]
        if message[attribute: "type"] == "groupchat" {
            guard let sender, await roomWakes(owner: owner, message: message, from: sender, nick: roomNick) else { return }
        }
        // Messages waiting for the account: what a client shows as unread once it connects.
        let count = max(1, (try? await database.offline.count(owner: owner)) ?? 1)
        let item = notification(count: count, sender: sender, body: PushWorthiness.body(of: message))
        let failed = failed.withLock { $0 }
        for registration in registrations where !failed.contains(RegistrationKey(owner: owner, registration))
            && admits(registration, owner: owner) {
            publish(item, to: registration, owner: owner)
        }
    }

    private func roomWakes(owner: String, message: XMLElement, from sender: String, nick: String?) async -> Bool {
        let (room, senderNick) = ClientStateUrgency.split(sender)
        let bookmark = try? await database.pep.items(owner: owner, node: PersonalStorage.bookmarks, ids: [room]).first
        let conference = bookmark.flatMap { PEPService.parse($0.payload) }
        // Without the nickname the session learnt, the one the user bookmarked the room with.
        let nick = nick ?? conference?.child("nick", namespace: PersonalStorage.bookmarks)?.text
        return RoomNotificationSetting(bookmark: conference).wakes(body: PushWorthiness.body(of: message), sender: senderNick, nick: nick)
    }

    private func notification(count: Int, sender: String?, body: String?) -> XMLElement {
        var fields = [DataForm.Field("message-count", values: ["\(count)"])]
        if let sender { fields.append(DataForm.Field("last-message-sender", values: [sender])) }
        if settings.includeBody, let body, !body.isEmpty { fields.append(DataForm.Field("last-message-body", values: [body])) }
        let form = DataForm(type: .form, formType: Self.summary, fields: fields)
        return XMLElement("notification", namespace: Self.ns, children: [.element(form.element)])
    }

    private func publish(_ notification: XMLElement, to registration: PushRegistration, owner: String) {
        var publish = XMLElement("publish", namespace: PubSub.ns, attributes: registration.node.isEmpty ? [:] : ["node": registration.node])
        publish.append(XMLElement("item", namespace: PubSub.ns, children: [.element(notification)]))
        var pubsub = XMLElement("pubsub", namespace: PubSub.ns, children: [.element(publish)])
        if let options = registration.options.flatMap(PEPService.parse) {
            pubsub.append(XMLElement("publish-options", namespace: PubSub.ns, children: [.element(options)]))
        }
        let iq = XMLElement("iq", namespace: NS.client, attributes: ["type": "set", "from": domain, "to": registration.service],
                            children: [.element(pubsub)])
        let router = router
        router.queries.send(iq, route: { _ = router.route($0) }) { [self] answer in
            guard case .error(let reply) = answer else { return }
            _ = failed.withLock { $0.insert(RegistrationKey(owner: owner, registration)) }
            let condition = reply.child("error", namespace: NS.client)?.elements.first { $0.namespace == NS.stanzaErrors && $0.name != "text" }?.name
            logger.notice("push registration disabled", metadata: ["account": "\(owner)", "service": "\(registration.service)",
                                                                   "cause": "\(condition ?? "error")"])
            Task { await disableAfterError(registration, owner: owner) }
        }
    }

    /// An error from the push service ends the registration (XEP-0357 §7.1, as mod_cloud_notify
    /// does): the device registers again when it wants notifications.
    private func disableAfterError(_ registration: PushRegistration, owner: String) async {
        do {
            defer { cache.forget(owner: owner) }
            try await database.push.disable(owner: owner, service: registration.service, node: registration.node)
        } catch {
            logger.storageFailure("push registration write failed", error, metadata: ["account": "\(owner)"])
        }
        _ = failed.withLock { $0.remove(RegistrationKey(owner: owner, registration)) }
    }

    /// Whether the registration's rate allows one more notification now.
    private func admits(_ registration: PushRegistration, owner: String) -> Bool {
        let key = RegistrationKey(owner: owner, registration)
        let now = NIODeadline.now()
        let admitted = buckets.withLock { buckets in
            if buckets[key] == nil, buckets.count >= Self.maxBuckets {
                buckets = buckets.filter { !$0.value.isFull(now: now) }
            }
            var bucket = buckets[key] ?? TokenBucket(ratePerSecond: Double(settings.perMinute) / 60, burst: settings.burst)
            let taken = bucket.take(now: now)
            buckets[key] = bucket
            return taken
        }
        if !admitted {
            logger.debug("push notification skipped", metadata: ["account": "\(owner)", "service": "\(registration.service)", "cause": "rate"])
        }
        return admitted
    }
}
