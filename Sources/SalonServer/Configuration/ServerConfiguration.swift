import Foundation
import SalonAdmin

/// Everything `salon serve` needs to run one deployment. Built by the CLI from the YAML file,
/// the environment and flags; tests build it directly.
public struct ServerConfiguration: Sendable {
    /// The domain, the data directory and the SCRAM iterations: the part administration shares.
    public var administration: AdminConfiguration
    /// The XMPP domain users live on (`user@domain`).
    public var domain: String {
        get { administration.domain }
        set { administration.domain = newValue }
    }
    /// Listen address; only loopback addresses are allowed unless `allowNonLoopbackBind` is set.
    public var bindAddress: String = "127.0.0.1"
    /// Client-to-server port with STARTTLS (RFC 6120). 0 picks a free port (tests).
    public var c2sPort: Int = 5222
    /// Direct TLS port (XEP-0368). 0 picks a free port; nil disables it.
    public var directTLSPort: Int? = 5223
    /// External component port (XEP-0114). nil disables it.
    public var componentPort: Int? = 5347
    /// The persistent-chat (MUC) service's domain; nil means chat.<domain>.
    public var chatDomain: String?
    /// Component domains and their shared secrets.
    public var components: [String: String] = [:]
    /// Where the SQLite database lives.
    public var dataDirectory: String {
        get { administration.dataDirectory }
        set { administration.dataDirectory = newValue }
    }
    /// Where certificates live: `<domain>.crt` and `<domain>.key`; generated when absent.
    public var certificateDirectory: String = "./Certs"
    /// Refuse authentication before TLS. Turning it off is honoured only on loopback addresses.
    public var requireTLS: Bool = true
    /// TLS session tickets (`tls.session_tickets`): clients that keep one resume their next
    /// login's handshake instead of a full one.
    public var tlsSessionTickets: Bool = true
    /// Seconds one ticket key seals tickets (`tls.ticket_key_rotation`); it opens them for as
    /// long again, and a ticket lives at most this long.
    public var tlsTicketKeyRotation: Int = 3600
    /// Hostile-input limits.
    public var limits = Limits()
    /// Whether push notifications (XEP-0357) carry the message's text (`push.include_body`). Off
    /// by default: the push service and the phone vendor's relay then learn who wrote, not what.
    public var pushIncludesBody = false
    /// The HTTP server and file upload (XEP-0363).
    public var http = HTTPConfiguration()
    /// Who may read `/metrics`.
    public var metrics = MetricsConfiguration()
    /// Where the ad-hoc `service-export` writes and `service-import` reads (`export.directory`;
    /// default `<data>/exports`).
    public var exportDirectory: String?
    public var effectiveExportDirectory: String { exportDirectory ?? dataDirectory + "/exports" }
    /// SCRAM iteration count for new and changed passwords.
    public var scramIterations: Int {
        get { administration.scramIterations }
        set { administration.scramIterations = newValue }
    }
    /// Several nodes on one PostgreSQL database (`cluster.*`, issue #21).
    public var cluster: ClusterConfiguration {
        get { administration.cluster }
        set { administration.cluster = newValue }
    }
    /// This node's id in the cluster: `cluster.node_id`, or the host name with the c2s port.
    public var clusterNodeID: String { cluster.effectiveNodeID(c2sPort: c2sPort) }

    public struct Limits: Sendable {
        public var maxStanzaBytes: Int = 262_144
        public var maxDepth: Int = 32
        /// Sustained bytes per second a client stream may send before reads are paused.
        public var bytesPerSecond: Int = 256 * 1024
        /// How many bytes a stream may send in a burst above the sustained rate.
        public var burstBytes: Int = 1024 * 1024
        public var maxConnections: Int = 10_000
        public var maxConnectionsPerAddress: Int = 2_000
        /// Largest stanza before authentication, and bytes a stream may send in all before it
        /// authenticates.
        public var negotiationStanzaBytes: Int = 16_384
        public var negotiationBytes: Int = 65_536
        /// The component port's own caps: components are few, and its capacity is not the clients'.
        public var componentMaxConnections: Int = 100
        public var componentMaxConnectionsPerAddress: Int = 10
        /// Seconds a stream may take to authenticate and bind.
        public var negotiationTimeout: Double = 60
        /// Client authentication attempts one address may have in progress at once (checked, or
        /// failed and waiting for the login throttle's delayed answer); one more is answered at
        /// once with temporary-auth-failure, its password unchecked.
        public var authInProgressPerAddress: Int = 16
        /// Seconds of silence before the server pings a client, and again before it closes.
        public var idleTimeout: Double = 300
        /// Seconds of silence after which a stream gives back its XML parser (made again, primed
        /// with the stream's header, on its next bytes); 0 keeps every parser.
        public var idleParserRelease: Double = 30
        /// Output bytes that may wait for a client that stopped reading before its stream is
        /// closed; it must hold the largest burst a client is sent at once (history on join).
        public var maxQueuedBytes: Int = 8 << 20
        /// Offline messages kept per user.
        public var offlineMessages: Int = 500
        /// Contacts one roster may hold.
        public var maxRosterItems: Int = 1_000
        /// JIDs one blocklist (XEP-0191) may hold.
        public var maxBlocklistItems: Int = 1_000
        /// The largest vCard (XEP-0054) an account may store, serialised.
        public var maxVCardBytes: Int = 131_072
        /// Stanzas and bytes an inactive client's stream holds back (XEP-0352) before sending
        /// them anyway.
        public var csiHeldStanzas: Int = 500
        public var csiHeldBytes: Int = 262_144
        /// Stream management (XEP-0198): stanzas (and their bytes) a session keeps for its
        /// client — sent and not yet acknowledged, or waiting while it is detached — before the
        /// stream is closed (the session then ends as if never resumed).
        public var smUnackedStanzas: Int = 1_000
        public var smUnackedBytes: Int = 4 << 20
        /// Seconds a session whose connection was lost waits to be resumed; 0 turns resumption off.
        public var smResumeTimeout: Int = 300
        /// Presence changes (joins, status updates) one user may make in a room at once, and
        /// per minute after that; more are refused with policy-violation.
        public var roomPresenceBurst: Int = 10
        public var roomPresencePerMinute: Int = 60
        /// Nickname changes one user may make in a room at once, and per minute after that.
        public var roomNickChangeBurst: Int = 3
        public var roomNickChangesPerMinute: Int = 6
        /// Rooms one user may hold locked at once, joined into existence and not yet configured.
        public var lockedRoomsPerUser: Int = 5
        /// Addresses one resource may send directed presence to at once (room joins among them).
        public var directedPresences: Int = 1000
        /// Private storage (XEP-0049) and PEP (XEP-0163) per account.
        public var personalData = PersonalDataLimits()
        /// Push registrations (XEP-0357 devices) one account may keep.
        public var pushRegistrations: Int = 20
        /// Notifications one push registration is sent at once, then per minute.
        public var pushBurst: Int = 5
        public var pushPerMinute: Int = 12
        public init() {}

        var streamManagement: StreamManagementLimits {
            StreamManagementLimits(maxStanzas: smUnackedStanzas, maxBytes: smUnackedBytes)
        }
    }

    public init(domain: String = "localhost") {
        administration = AdminConfiguration(domain: domain)
    }

    /// The persistent-chat service's domain.
    public var mucDomain: String { chatDomain ?? "chat.\(domain)" }

    /// The upload service's domain, when the HTTP server runs.
    public var uploadDomain: String? { http.port == nil ? nil : http.upload.domain ?? "upload.\(domain)" }

    /// TLS may be skipped only where nobody else can listen: loopback.
    public var tlsRequirementEnforced: Bool {
        requireTLS || !Self.isLoopback(bindAddress)
    }

    public static func isLoopback(_ address: String) -> Bool {
        address == "::1" || address == "localhost" || address.hasPrefix("127.")
    }
}
