import Foundation
import Logging
import NIOCore
import PersistentChat
import SalonAdmin
import SalonSecurity
import SalonStore
import Synchronization
import XMPPCore

/// The persistent-chat service on its own domain (XEP-0045, default chat.<domain>): it holds
/// the current directory, pins each active room to an event loop, answers service-level
/// queries and keeps rooms in step with directory changes, wherever they come from.
final class MUCService: RoomHost {
    let domain: String
    let serverDomain: String
    let database: any StoreBackend
    let administration: ChatAdministration
    /// What every room uses beyond its own state, made once here.
    let environment: RoomEnvironment
    /// XEP-0050 commands on the service JID.
    let adHoc: AdHocCommands
    unowned let router: Router
    /// Who is online, for invitations to every session of a user.
    let sessions: SessionRegistry
    let logger: Logger
    private let loops: [EventLoop]
    private let state: Mutex<State>

    private struct State {
        var directory: ChatDirectory
        /// Counts adopted directories, so rooms can tell whether what they derived is current.
        var generation: UInt64 = 0
        var revision: Int64
        var rooms: [String: MUCRoom] = [:]
        var poller: Task<Void, Never>?
        /// Told of every adopted directory with the one before it (followed rooms).
        var directoryObserver: (@Sendable (ChatDirectory, ChatDirectory) -> Void)?
        /// Told of every first join that accepts an invitation (followed rooms).
        var invitationObserver: (@Sendable (JID, JID, String, String) -> Void)?
    }

    private init(domain: String, serverDomain: String, database: any StoreBackend, archiveWriter: any ArchiveWriter, router: Router,
                 sessions: SessionRegistry,
                 loops: [EventLoop], secret: [UInt8], directory: ChatDirectory, revision: Int64, presenceRates: PresenceRates,
                 lockedRoomsPerUser: Int, maxVCardBytes: Int, metrics: ServerMetrics, compliance: ComplianceRecorder, clusteredRooms: ClusteredRooms?, logger: Logger) {
        self.domain = domain
        self.serverDomain = serverDomain
        self.database = database
        self.administration = ChatAdministration(database: database)
        self.environment = RoomEnvironment(
            output: RoomOutput(router: router, sessions: sessions, sent: metrics.stanzasSent),
            archiveWriter: archiveWriter, archive: database.archive, chat: database.chat,
            occupantIDs: OccupantIDs(secret: secret), presenceRates: presenceRates,
            lockedRooms: LockedRooms(limit: lockedRoomsPerUser), maxVCardBytes: maxVCardBytes, logger: logger,
            refusalLog: LogThrottle(), uploadLinks: UploadLinks(store: database.files, logger: logger),
            metrics: metrics, compliance: compliance, cluster: clusteredRooms)
        self.adHoc = AdHocCommands(jid: domain, logger: logger)
        self.router = router
        self.sessions = sessions
        self.loops = loops
        self.logger = logger
        self.state = Mutex(State(directory: directory, revision: revision))
    }

    /// `archiveWriter` is the server's one writer (accounts' archives share it); `stop` closes it.
    static func start(domain: String, serverDomain: String, database: any StoreBackend, archiveWriter: any ArchiveWriter, router: Router,
                      sessions: SessionRegistry, group: EventLoopGroup, presenceRates: PresenceRates, lockedRoomsPerUser: Int,
                      maxVCardBytes: Int, metrics: ServerMetrics, compliance: ComplianceRecorder, clusteredRooms: ClusteredRooms? = nil,
                      logger: Logger) async throws -> MUCService {
        let (directory, revision) = try await database.chat.loadDirectoryAndRevision()
        let secret = try await ServerSecret.load(ServerSecret.occupantID, from: database)
        let service = MUCService(domain: domain, serverDomain: serverDomain, database: database, archiveWriter: archiveWriter,
                                 router: router, sessions: sessions,
                                 loops: Array(group.makeIterator()), secret: secret, directory: directory,
                                 revision: revision, presenceRates: presenceRates, lockedRoomsPerUser: lockedRoomsPerUser,
                                 maxVCardBytes: maxVCardBytes, metrics: metrics, compliance: compliance, clusteredRooms: clusteredRooms, logger: logger)
        service.adHoc.register(ChatCommandSet(service: service).all)
        service.startPolling()
        return service
    }

    /// Stops picking up outside changes; returns once the poller is done with storage.
    func stop() async {
        let poller = state.withLock { $0.poller }
        poller?.cancel()
        await poller?.value
        await environment.archiveWriter.close()
    }

    var directory: ChatDirectory { state.withLock { $0.directory } }

    /// The directory as saved now, with what other processes (the CLI) saved since the last poll.
    func currentDirectory() async -> ChatDirectory {
        await pollOnce()
        return directory
    }

    /// The rooms active now (for metrics: each is read on its own loop).
    var liveRooms: [MUCRoom] { state.withLock { Array($0.rooms.values) } }

    /// Sets what is told of every directory adopted from now on (given the previous one first).
    func observeDirectory(_ observer: @escaping @Sendable (_ previous: ChatDirectory, _ current: ChatDirectory) -> Void) {
        state.withLock { $0.directoryObserver = observer }
    }

    /// Sets what is told when a user first joins a room they were invited to (user, room, room
    /// name, nick).
    func observeAcceptedInvitations(_ observer: @escaping @Sendable (_ user: JID, _ room: JID, _ name: String, _ nick: String) -> Void) {
        state.withLock { $0.invitationObserver = observer }
    }

    func invitationAccepted(by user: JID, room: JID, name: String, nick: String) {
        state.withLock { $0.invitationObserver }?(user, room, name, nick)
    }

    /// The current directory's generation: it changes whenever another directory is adopted.
    var directoryGeneration: UInt64 { state.withLock { $0.generation } }

    /// The current directory with its generation, read together.
    var directoryWithGeneration: (directory: ChatDirectory, generation: UInt64) {
        state.withLock { ($0.directory, $0.generation) }
    }

    var jid: JID { try! JID(domain) }

    // MARK: Stanzas

    /// A stanza addressed to the service or one of its rooms.
    func handle(_ stanza: Stanza, to: JID, from: JID) -> RoutingFollowup? {
        guard let localpart = to.localpart else {
            serviceStanza(stanza, from: from)
            return nil
        }
        let room = activeRoom(localpart)
        room.loop.execute { room.receive(stanza, to: to, from: from) }
        return nil
    }

    /// The room object for a localpart, activated on first use and pinned to one loop.
    func activeRoom(_ localpart: String) -> MUCRoom {
        state.withLock { state in
            if let room = state.rooms[localpart] { return room }
            var hasher = Hasher()
            hasher.combine(localpart)
            let loop = loops[Int(UInt(bitPattern: hasher.finalize()) % UInt(loops.count))]
            let jid = (try? JID(localpart: localpart, domainpart: domain, resourcepart: nil)) ?? self.jid
            let room = MUCRoom(localpart: localpart, jid: jid, host: self, environment: environment, loop: loop,
                               historyCapacity: state.directory.settings.defaultChatHistory)
            state.rooms[localpart] = room
            return room
        }
    }

    /// The nicknames in a room now, read on its loop; none when the room is not active.
    func occupantNicks(_ localpart: String) async -> [String] {
        guard let room = state.withLock({ $0.rooms[localpart] }) else { return [] }
        return (try? await room.loop.submit { room.occupants.keys.sorted() }.get()) ?? []
    }

    /// An empty room with nothing pending lets go of its memory.
    func deactivate(_ room: MUCRoom) {
        state.withLock { state in
            if state.rooms[room.localpart] === room { state.rooms[room.localpart] = nil }
        }
    }

    /// Lets go of the active rooms `keep` says no (rooms another cluster node owns now), without
    /// a word to their occupants: their sessions join the new owner. What a room already took
    /// finishes on its loop.
    func relinquishRooms(keep: (String) -> Bool) {
        let dropped = state.withLock { state -> [String] in
            let gone = state.rooms.keys.filter { !keep($0) }
            for localpart in gone { state.rooms[localpart] = nil }
            return gone
        }
        guard !dropped.isEmpty else { return }
        logger.notice("rooms handed to other cluster nodes", metadata: ["rooms": "\(dropped.count)"])
        guard let leases = environment.cluster?.leases else { return }
        Task { [logger] in
            for room in dropped {
                do {
                    try await leases.release(room: room)
                } catch {
                    logger.warning("could not release a room's lease: its new owner waits for it", metadata: ["room": "\(room)", "error": "\(error)"])
                }
            }
        }
    }

    /// Sessions that ended without a word (their cluster node died): each active room drops
    /// those among its occupants as it would after an error presence, and says so to the others.
    func sessionsLost(_ lost: Set<JID>) {
        for room in liveRooms {
            room.loop.execute { room.dropLostSessions(lost) }
        }
    }

    private func serviceStanza(_ stanza: Stanza, from: JID) {
        guard stanza.kind == .iq, stanza.type == "get" || stanza.type == "set" else {
            if stanza.kind == .message { router.bounce(stanza, StanzaError(.serviceUnavailable)) }
            return
        }
        let user = from.bare.description
        let payload = stanza.element.elements.first
        switch (stanza.type, payload?.namespace, payload?.name) {
        case ("get", NS.discoInfo, "query") where payload?[attribute: "node"] != nil:
            guard let info = adHoc.info(node: payload![attribute: "node"]!, for: user) else {
                return router.bounce(stanza, StanzaError(.itemNotFound))
            }
            answer(stanza, info)
        case ("get", NS.discoInfo, "query"):
            var query = XMLElement("query", namespace: NS.discoInfo)
            query.append(XMLElement("identity", namespace: NS.discoInfo, attributes: ["category": "conference", "type": "text", "name": "Persistent chat"]))
            for feature in [NS.discoInfo, NS.discoItems, MUC.ns, NS.ping, MAM.ns, MAM.extended, "urn:xmpp:fulltext:0", AdHocCommands.ns, VCardService.ns] {
                query.append(XMLElement("feature", namespace: NS.discoInfo, attributes: ["var": feature]))
            }
            let settings = directory.settings
            query.append(DataForm(type: .result, formType: "\(MUC.salon)#service", fields: [
                DataForm.Field("room_management_url", label: "Room management", values: [environment.roomManagement.url(settings)]),
                DataForm.Field("default_chat_history", values: ["\(settings.defaultChatHistory)"]),
                DataForm.Field("max_file_size_kb", values: ["\(settings.maxFileSizeKB)"]),
            ]).element)
            answer(stanza, query)
        case ("get", NS.discoItems, "query") where payload?[attribute: "node"] == AdHocCommands.ns:
            answer(stanza, adHoc.items(for: user))
        case ("set", AdHocCommands.ns, "command"):
            let adHoc = adHoc
            Task {
                switch await adHoc.handle(payload!, user: user) {
                case .success(let reply): answer(stanza, reply)
                case .failure(let error): router.bounce(stanza, error)
                }
            }
        case ("get", NS.discoItems, "query"):
            var query = XMLElement("query", namespace: NS.discoItems)
            for room in directory.visibleRooms(for: user) {
                query.append(XMLElement("item", namespace: NS.discoItems, attributes: [
                    "jid": "\(room.localpart)@\(domain)", "name": room.name,
                ]))
            }
            answer(stanza, query)
        case ("get", NS.ping, "ping"):
            answer(stanza, nil)
        case (_, MAM.ns, "query"):
            search(stanza, query: payload!, user: user)
        default:
            router.bounce(stanza, StanzaError(.serviceUnavailable))
        }
    }

    /// Sends an iq result from wherever the request was addressed.
    func answer(_ iq: Stanza, _ payload: XMLElement?) {
        environment.output.answer(iq, payload)
    }

    // MARK: Directory changes

    /// Changes the directory as `actor` (validated by PersistentChat), saves it and brings the
    /// rooms in line. Throws ChatRuleError for a broken rule.
    ///
    /// The change applies to the directory in memory, saved only while storage is still at the
    /// revision it was adopted at: re-reading the whole directory for each change made every
    /// room creation cost as much as all the rooms before it. When another process (the CLI)
    /// or another change here saved first, the change is applied again to a fresh read.
    func perform<T: Sendable>(_ change: (inout ChatDirectory) throws(ChatRuleError) -> T) async throws -> T {
        let (current, revision) = state.withLock { ($0.directory, $0.revision) }
        var changed = current
        let result = try change(&changed)
        guard changed != current else { return result }
        let journal = environment.compliance.directoryChangeActor()
        if let saved = try await database.chat.save(changed, previous: current, ifRevision: revision, journal: journal) {
            adopt(changed, revision: saved)
            return result
        }
        let outcome = try await administration.perform(change, journal: journal)
        // Adopted through the poll, so content changes saved in between are not skipped.
        await pollOnce()
        return outcome.result
    }

    /// Picks up changes made by other processes (the CLI) once a second.
    private func startPolling() {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard let self else { return }
                await self.pollOnce()
            }
        }
        state.withLock { $0.poller = task }
    }

    func pollOnce() async {
        do {
            let revision = try await database.chat.revision()
            let seen = state.withLock { $0.revision }
            guard revision != seen else { return }
            let changes = try await database.chat.loadChanges(since: seen)
            let previous = directory
            adopt(changes.directory, revision: changes.revision, contentChanged: changes.contentChanged)
            // Changes saved by another process: the operator's CLI (the server's own are adopted when saved).
            for change in changes.directory.changes(since: previous) + changes.contentChanged.sorted().map({ "room content changed: \($0)" }) {
                logger.notice("chat directory change picked up", metadata: ["actor": "operator (salon CLI)", "change": "\(change)"])
            }
        } catch is CancellationError {
            return
        } catch {
            logger.storageFailure("cannot reload the chat directory", error)
        }
    }

    /// Makes `directory` current: rooms re-check their occupants (and reload their history when
    /// an administrator changed their content); new members get invitations.
    private func adopt(_ directory: ChatDirectory, revision: Int64, contentChanged: Set<String> = []) {
        let adopted = state.withLock { state -> (ChatDirectory, [MUCRoom], (@Sendable (ChatDirectory, ChatDirectory) -> Void)?)? in
            // Saves finish out of order: one older than what is already adopted changes nothing.
            guard revision >= state.revision else { return nil }
            let previous = state.directory
            state.directory = directory
            state.generation &+= 1
            state.revision = max(state.revision, revision)
            return (previous, Array(state.rooms.values), state.directoryObserver)
        }
        guard let (previous, rooms, observer) = adopted else { return }
        for room in rooms {
            let reload = contentChanged.contains(room.localpart)
            room.loop.execute { room.directoryChanged(contentChanged: reload) }
        }
        Task { await invitations.membersChanged(from: previous, to: directory) }
        observer?(previous, directory)
    }

    var invitations: Invitations {
        Invitations(domain: domain, database: database, sessions: sessions, output: environment.output, logger: logger,
                    currentDirectory: { [unowned self] in directory })
    }
}
