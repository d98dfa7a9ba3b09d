import Synchronization
import SalonStore
import XMPPCore

/// A bound client resource, as the router sees it.
final class ClientSession: Sendable {
    let jid: JID
    let stream: XMPPStream
    /// Unique among this process's sessions: how other cluster nodes name it in fan-outs.
    let serial: UInt64
    /// ` to='…'` with its JID, escaped once, for the fan-out.
    let address: [UInt8]
    private let bound = Atomic<Bool>(true)
    private static let serials = Atomic<UInt64>(0)

    /// `serial`: a resumed session keeps its predecessor's, one moving from another node takes
    /// the one reserved for it (`nextSerial`).
    init(jid: JID, stream: XMPPStream, serial: UInt64 = ClientSession.nextSerial()) {
        self.jid = jid
        self.stream = stream
        self.serial = serial
        address = SplicedStanza.address(jid.description)
    }

    static func nextSerial() -> UInt64 {
        serials.add(1, ordering: .relaxed).newValue
    }

    /// False once unbound or replaced: whoever kept a reference must look the JID up again.
    var isBound: Bool { bound.load(ordering: .relaxed) }

    fileprivate func unbound() { bound.store(false, ordering: .relaxed) }

    /// Thread-safe delivery.
    func deliver(_ element: XMLElement) { stream.deliver(element) }
}

/// What the router knows about one resource's presence.
struct ResourcePresence: Sendable {
    /// Changes only when a resumed session (XEP-0198) takes this resource over.
    fileprivate(set) var session: ClientSession
    var available = false
    var priority = 0
    /// The last available presence it broadcast, for probes.
    var lastPresence: XMLElement?
    /// Who it sent directed presence to (they get its unavailable presence too).
    var directedTo: Set<JID> = []
    /// It enabled message carbons (XEP-0280).
    var carbons = false
    /// It asked for the blocklist, so it gets blocklist pushes (XEP-0191).
    var wantsBlocklistPushes = false
}

/// Every online account: its bound resources and its roster, shared by its resources.
/// A short lock guards it; nothing slow runs inside.
final class SessionRegistry: Sendable {
    struct Account {
        var resources: [String: ResourcePresence] = [:]
        var roster: [String: RosterItem] = [:]
        /// The blocklist (XEP-0191), as stored: JIDs in normal form.
        var blocked: Set<String> = []
        /// The vCard photo's hash (XEP-0153): "" for a vCard without photo, nil for no vCard.
        var photoHash: String?
    }

    private let accounts = Mutex<[JID: Account]>([:])
    /// The bound sessions by serial, for fan-outs from other cluster nodes.
    private let bySerial = Mutex<[UInt64: ClientSession]>([:])

    /// Binds a session; returns the session it replaced (same full JID), which must be closed
    /// with a `conflict` stream error.
    func bind(_ session: ClientSession, roster: [RosterItem], blocklist: [String] = [], photoHash: String? = nil) -> ClientSession? {
        let bare = session.jid.bare
        let resource = session.jid.resourcepart ?? ""
        let replaced = accounts.withLock { accounts -> ClientSession? in
            var account = accounts[bare] ?? Account()
            if account.resources.isEmpty {
                account.roster = Dictionary(roster.map { ($0.jid, $0) }, uniquingKeysWith: { $1 })
                account.blocked = Set(blocklist)
                account.photoHash = photoHash
            }
            let replaced = account.resources[resource]?.session
            replaced?.unbound()
            account.resources[resource] = ResourcePresence(session: session)
            accounts[bare] = account
            return replaced
        }
        bySerial.withLock { sessions in
            if let replaced { sessions[replaced.serial] = nil }
            sessions[session.serial] = session
        }
        return replaced
    }

    /// Removes a session if it is still the bound one; returns its presence state.
    @discardableResult
    func unbind(_ session: ClientSession) -> ResourcePresence? {
        let bare = session.jid.bare
        let resource = session.jid.resourcepart ?? ""
        let entry = accounts.withLock { accounts -> ResourcePresence? in
            guard var account = accounts[bare], let entry = account.resources[resource],
                  entry.session === session else { return nil }
            account.resources[resource] = nil
            accounts[bare] = account.resources.isEmpty ? nil : account
            session.unbound()
            return entry
        }
        if entry != nil { bySerial.withLock { $0[session.serial] = nil } }
        return entry
    }

    /// A resumed session (XEP-0198) takes the place of the one it resumes, keeping its presence
    /// state, without any presence going out. False when `old` is no longer the bound one.
    func replace(_ old: ClientSession, with new: ClientSession) -> Bool {
        let replaced = accounts.withLock { accounts in
            let bare = old.jid.bare, resource = old.jid.resourcepart ?? ""
            guard let entry = accounts[bare]?.resources[resource], entry.session === old else { return false }
            var moved = entry
            moved.session = new
            accounts[bare]?.resources[resource] = moved
            old.unbound()
            return true
        }
        if replaced {
            bySerial.withLock { sessions in
                sessions[old.serial] = nil
                sessions[new.serial] = new
            }
        }
        return replaced
    }

    func session(_ full: JID) -> ClientSession? {
        accounts.withLock { $0[full.bare]?.resources[full.resourcepart ?? ""]?.session }
    }

    /// Every online account's bare JID.
    var onlineAccounts: [JID] {
        accounts.withLock { Array($0.keys) }
    }

    /// The sessions bound to these full JIDs (nil where none is), under one lock.
    func sessions(_ jids: [JID]) -> [ClientSession?] {
        accounts.withLock { accounts in jids.map { accounts[$0.bare]?.resources[$0.resourcepart ?? ""]?.session } }
    }

    /// The bound sessions with these serials; those gone are left out.
    func sessions(serials: [UInt64]) -> [ClientSession] {
        bySerial.withLock { sessions in serials.compactMap { sessions[$0] } }
    }

    func resources(of bare: JID) -> [ResourcePresence] {
        accounts.withLock { Array(($0[bare]?.resources ?? [:]).values) }
    }

    func presence(of session: ClientSession) -> ResourcePresence? {
        accounts.withLock { $0[session.jid.bare]?.resources[session.jid.resourcepart ?? ""] }
    }

    /// Updates one resource's presence state; returns the new state.
    @discardableResult
    func updatePresence(of session: ClientSession, _ change: (inout ResourcePresence) -> Void) -> ResourcePresence? {
        accounts.withLock { accounts in
            let bare = session.jid.bare, resource = session.jid.resourcepart ?? ""
            guard var entry = accounts[bare]?.resources[resource], entry.session === session else { return nil }
            change(&entry)
            accounts[bare]?.resources[resource] = entry
            return entry
        }
    }

    /// The roster of an online account (nil when the account has no session).
    func roster(of bare: JID) -> [String: RosterItem]? {
        accounts.withLock { $0[bare]?.roster }
    }

    /// Applies a roster change to an online account's cached roster.
    func updateRoster(of bare: JID, item: RosterItem?, jid: String) {
        accounts.withLock { accounts in
            guard accounts[bare] != nil else { return }
            accounts[bare]?.roster[jid] = item
        }
    }

    /// An online account's blocklist; nil when it has no session (the store knows).
    func blocklist(of bare: JID) -> Set<String>? {
        accounts.withLock { $0[bare]?.blocked }
    }

    /// Applies a blocklist change to an online account's cached list.
    func updateBlocklist(of bare: JID, _ change: (inout Set<String>) -> Void) {
        accounts.withLock { accounts in
            guard accounts[bare] != nil else { return }
            change(&accounts[bare]!.blocked)
        }
    }

    /// An online account's vCard photo hash ("" no photo, nil no vCard or offline).
    func photoHash(of bare: JID) -> String? {
        accounts.withLock { $0[bare]?.photoHash }
    }

    func setPhotoHash(of bare: JID, _ hash: String?) {
        accounts.withLock { accounts in
            guard accounts[bare] != nil else { return }
            accounts[bare]!.photoHash = hash
        }
    }

    var allSessions: [ClientSession] {
        accounts.withLock { $0.values.flatMap { $0.resources.values.map(\.session) } }
    }

    var onlineAccountCount: Int { accounts.withLock { $0.count } }
}
