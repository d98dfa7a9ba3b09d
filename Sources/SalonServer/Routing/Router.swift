import Logging
import SalonStore
import XMPPCore

/// Work a stanza's routing still has to do off the event loop (storage). The sender awaits it
/// before its next stanza, so per-sender order is kept.
typealias RoutingFollowup = @Sendable () async -> Void

/// Handles stanzas addressed to the server itself or to an account's bare JID (iq).
protocol LocalEndpoint: Sendable {
    /// Handles (answers or bounces) an iq to the server domain; returns any storage work to await.
    func handleServerIQ(_ iq: XMLElement, from: JID) -> RoutingFollowup?
}

/// Moves stanzas between client sessions, components and the server's own services,
/// applying RFC 6121 §8 for whatever cannot be delivered.
final class Router: Sendable {
    let domain: String
    let sessions: SessionRegistry
    let components: ComponentRegistry
    let database: any StoreBackend
    let logger: Logger
    let offlineLimit: Int
    /// iq requests the server itself sends, waiting for their answers.
    let queries = ServerQueries()
    /// Accounts' archives (XEP-0313): which messages they keep, and the writer that commits them.
    let personalArchiving: PersonalArchiving
    let archiveWriter: any ArchiveWriter
    /// Offline storage in routing order, per account.
    let offlineOrder = OfflineOrder()
    private let endpoints = Endpoints()

    /// The services the router hands stanzas to. They route through the router themselves, so
    /// the router is made first and they are connected to it once, all together
    /// (`ServerContext.start`), before any stream exists; written once, then only read.
    private final class Endpoints: @unchecked Sendable {
        var server: (any LocalEndpoint)!
        var account: AccountEndpoint!
        var presence: PresenceService!
        var muc: MUCService!
        var push: PushService!
        var upload: UploadService?
        var cluster: ClusterRouter?
    }

    init(domain: String, sessions: SessionRegistry, components: ComponentRegistry,
         database: any StoreBackend, archiveWriter: any ArchiveWriter, offlineLimit: Int, logger: Logger) {
        self.domain = domain
        personalArchiving = PersonalArchiving(domain: domain)
        self.archiveWriter = archiveWriter
        self.sessions = sessions
        self.components = components
        self.database = database
        self.offlineLimit = offlineLimit
        self.logger = logger
    }

    /// Connects the services stanzas are routed to; once, before any stream exists.
    func connect(server: any LocalEndpoint, account: AccountEndpoint, presence: PresenceService, muc: MUCService, push: PushService,
                 upload: UploadService? = nil) {
        precondition(endpoints.server == nil, "the router's services are connected once")
        endpoints.upload = upload
        endpoints.server = server
        endpoints.account = account
        endpoints.presence = presence
        endpoints.muc = muc
        endpoints.push = push
    }

    /// Joins a cluster: rooms other nodes own and sessions on other nodes are reached through
    /// `cluster`. Once, before any stream exists.
    func connect(cluster: ClusterRouter) {
        precondition(endpoints.cluster == nil, "the router joins a cluster once")
        endpoints.cluster = cluster
    }

    /// The rooms service.
    var muc: MUCService { endpoints.muc }

    /// Presence (RFC 6121 §4).
    var presenceService: PresenceService { endpoints.presence }

    /// The cluster this node is part of; nil when it serves alone.
    var cluster: ClusterRouter? { endpoints.cluster }

    /// Routes a stanza whose `from` is already stamped and whose `to` is set.
    func route(_ element: XMLElement) -> RoutingFollowup? {
        guard let stanza = Stanza(element) else { return nil }
        let to: JID
        let from: JID
        do {
            guard let t = try stanza.to, let f = try stanza.from else { return nil }
            to = t
            from = f
        } catch {
            bounce(stanza, StanzaError(.jidMalformed))
            return nil
        }
        return route(stanza, to: to, from: from)
    }

    /// Routes a stanza whose addresses are already parsed (`from` stamped on it). `sent` learns
    /// the sender's archive id of a message a client sent (`routeSent`).
    func route(_ stanza: Stanza, to: JID, from: JID, sent: SenderArchiveID? = nil) -> RoutingFollowup? {
        if to.domainpart == domain {
            if to.localpart == nil { return toServer(stanza, from: from) }
            // A session on another node: that node screens, archives and delivers, as for its own.
            if to.resourcepart != nil, let cluster = endpoints.cluster, sessions.session(to) == nil, let node = cluster.node(of: to) {
                cluster.forward(stanza, to: to, from: from, node: node)
                return nil
            }
            return toLocalAccount(stanza, to: to, from: from, sent: sent)
        }
        if stanza.kind == .message, to.domainpart == endpoints.muc.domain || components.link(for: to.domainpart) != nil
            || componentElsewhere(serving: to.domainpart) != nil,
           let archiving = archivingOutgoing(stanza, to: to, from: from, sent: sent,
                                             then: { self.awayFromAccounts($0, to: to, from: from) }) {
            return archiving
        }
        return awayFromAccounts(stanza, to: to, from: from)
    }

    /// Routes a stanza for a room, a component, or another server (refused: no federation).
    private func awayFromAccounts(_ stanza: Stanza, to: JID, from: JID) -> RoutingFollowup? {
        if to.domainpart == endpoints.muc.domain {
            if let room = to.localpart, let cluster = endpoints.cluster, let owner = cluster.remoteOwner(ofRoom: room) {
                cluster.forward(stanza, to: to, from: from, node: owner)
                return nil
            }
            return endpoints.muc.handle(stanza, to: to, from: from)
        }
        if let upload = endpoints.upload, to.domainpart == upload.domain, to.localpart == nil {
            return upload.handle(stanza, from: from)
        }
        if let link = components.link(for: to.domainpart) {
            link.deliver(stanza.element)
            return nil
        }
        if let node = componentElsewhere(serving: to.domainpart), let cluster = endpoints.cluster {
            cluster.forward(stanza, to: to, from: from, node: node)
            return nil
        }
        if components.componentDomain(serving: to.domainpart) != nil {
            bounce(stanza, StanzaError(.serviceUnavailable, text: "The component \(to.domainpart) is not connected."))
        } else {
            bounce(stanza, StanzaError(.remoteServerNotFound, text: "This server does not federate."))
        }
        return nil
    }

    /// Sends an error reply to the stanza's sender, unless it was itself an error. `target` is who
    /// answers when the stanza had no `to`: the account itself for what a client sent to its own
    /// account (RFC 6120 §8.1.2.1: the answer must not look as if the domain sent it).
    func bounce(_ stanza: Stanza, _ error: StanzaError, target: JID? = nil) {
        guard !stanza.isError else { return }
        if stanza.kind == .presence, stanza.type != nil, stanza.type != "unavailable" { return }
        var reply = stanza.errorReply(error)
        // Replies to what the server itself handled come from the original target.
        if reply[attribute: "from"] == nil { reply[attribute: "from"] = target?.description ?? domain }
        _ = route(reply)
    }

    /// XEP-0280 copies of what this server delivers to its accounts.
    var carbons: MessageCarbons {
        MessageCarbons(sessions: sessions, mucDomain: endpoints.muc.domain, cluster: endpoints.cluster)
    }

    // MARK: The server's own JID

    private func toServer(_ stanza: Stanza, from: JID) -> RoutingFollowup? {
        switch stanza.kind {
        case .iq:
            if stanza.type == "result" || stanza.type == "error" {
                queries.complete(stanza, from: from)
                return nil
            }
            return endpoints.server.handleServerIQ(stanza.element, from: from)
        case .message:
            bounce(stanza, StanzaError(.serviceUnavailable, text: "The server does not accept messages."))
        case .presence:
            break
        }
        return nil
    }

    // MARK: Accounts (RFC 6121 §8.5)

    /// Screens (XEP-0191), archives and delivers a stanza to an account of this node.
    func toLocalAccount(_ stanza: Stanza, to: JID, from: JID, sent: SenderArchiveID? = nil) -> RoutingFollowup? {
        screenInbound(stanza, to: to, from: from) { self.toAccount(stanza, to: to, from: from, sent: sent) }
    }

    private func toAccount(_ stanza: Stanza, to: JID, from: JID, sent: SenderArchiveID?) -> RoutingFollowup? {
        if let revoked = endpoints.push.affiliationRevoked(stanza, to: to, from: from) { return revoked }
        var stanza = stanza
        if stanza.kind == .message {
            stanza.element.removeStanzaIDs(claimingToBeBy: to)
            if let archiving = archivingToAccount(stanza, to: to, from: from, sent: sent,
                                                  then: { self.deliverToAccount($0, to: to, from: from) }) {
                return archiving
            }
        }
        return deliverToAccount(stanza, to: to, from: from)
    }

    /// Delivers to an account what has been archived already (or need not be).
    func deliverToAccount(_ stanza: Stanza, to: JID, from: JID) -> RoutingFollowup? {
        if to.resourcepart != nil {
            if let session = sessions.session(to) {
                session.deliver(stanza.element)
                if stanza.kind == .message {
                    carbons.received(stanza.element, owner: to.bare, from: from, deliveredTo: [session], toBoundResource: true)
                }
                return nil
            }
            switch stanza.kind {
            case .message:
                if stanza.type == "groupchat" { bounce(stanza, StanzaError(.serviceUnavailable)); return nil }
                return toBareJID(stanza, to: to.bare, from: from)
            case .presence:
                if isSubscription(stanza) { return toBareJID(stanza, to: to.bare, from: from) }
                return nil
            case .iq:
                bounce(stanza, StanzaError(.serviceUnavailable))
                return nil
            }
        }
        return toBareJID(stanza, to: to, from: from)
    }

    private func isSubscription(_ stanza: Stanza) -> Bool {
        ["subscribe", "subscribed", "unsubscribe", "unsubscribed"].contains(stanza.type ?? "")
    }

    private func toBareJID(_ stanza: Stanza, to: JID, from: JID) -> RoutingFollowup? {
        switch stanza.kind {
        case .iq:
            if stanza.type == "result" || stanza.type == "error" { return nil }
            return endpoints.account.handle(stanza, to: to, from: from)
        case .presence:
            return endpoints.presence.inbound(stanza, to: to, from: from)
        case .message:
            return messageToBareJID(stanza, to: to, from: from)
        }
    }

    private func messageToBareJID(_ stanza: Stanza, to: JID, from: JID) -> RoutingFollowup? {
        let type = stanza.type ?? "normal"
        if type == "error" { return nil }
        if type == "groupchat" { bounce(stanza, StanzaError(.serviceUnavailable)); return nil }
        let eligible = sessions.resources(of: to).filter { $0.available && $0.priority >= 0 }
        // Resources on other nodes of a cluster count as the account's own: the message was
        // archived here, so those nodes only deliver it.
        let elsewhere = endpoints.cluster?.remote.available(of: to).filter { $0.priority >= 0 } ?? []
        var recipients: [ClientSession] = []
        var remoteRecipients: [RemoteResource] = []
        if type == "headline" {
            recipients = eligible.map(\.session)
            remoteRecipients = elsewhere
        } else if let top = (eligible.map(\.priority) + elsewhere.map(\.priority)).max() {
            recipients = eligible.filter { $0.priority == top }.map(\.session)
            remoteRecipients = elsewhere.filter { $0.priority == top }
        }
        recipients.forEach { $0.deliver(stanza.element) }
        carbons.received(stanza.element, owner: to, from: from, deliveredTo: recipients, deliveredElsewhere: remoteRecipients.map(\.jid),
                         toBoundResource: false)
        for resource in remoteRecipients {
            endpoints.cluster?.forward(stanza, to: resource.jid, from: from, node: resource.node, deliverOnly: true)
        }
        if !recipients.isEmpty || !remoteRecipients.isEmpty || type == "headline" { return nil }
        // XEP-0334: <no-store/> forbids keeping a message even until its recipient is back.
        if stanza.element.child("no-store", namespace: PersonalArchiving.hints) != nil {
            bounce(stanza, StanzaError(.serviceUnavailable, text: "The recipient is offline, and the message asked not to be stored."))
            return nil
        }
        return offlineOrder.enqueue(for: to) { [self] in
            if await storeOffline(stanza, owner: to) { await endpoints.push.notify(account: to, stanza: stanza.element) }
        }
    }

    /// Keeps a message for an account with no available resource (XEP-0160), with a delay stamp;
    /// false when it was bounced instead.
    @discardableResult
    func storeOffline(_ stanza: Stanza, owner: JID) async -> Bool {
        do {
            guard try await database.accounts.exists(jid: owner.description) else {
                bounce(stanza, StanzaError(.serviceUnavailable))
                return false
            }
            var element = stanza.element
            // A message that already waited here (for a detached session, XEP-0198) keeps its stamp.
            if !element.children("delay", namespace: NS.delay).contains(where: { $0[attribute: "from"] == domain }) {
                element.append(XMLElement("delay", namespace: NS.delay,
                                          attributes: ["from": domain, "stamp": Timestamp.now()]))
            }
            let stored = try await database.offline.enqueue(
                owner: owner.description, stanza: element.serialized(parentNamespace: NS.client), limit: offlineLimit)
            if !stored { bounce(stanza, StanzaError(.serviceUnavailable, text: "The recipient's offline storage is full.")) }
            return stored
        } catch {
            logger.storageFailure("offline storage failed", error, metadata: ["account": "\(owner)"])
            bounce(stanza, .storage(error, text: "The message could not be kept for the recipient."))
            return false
        }
    }
}
