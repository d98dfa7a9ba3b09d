/// The HTTP server (`http.*` in salon.yaml): one listener carrying the routes of several
/// features (file upload now).
public struct HTTPConfiguration: Sendable {
    /// Listening port; 0 picks a free one (tests); nil turns HTTP (and file upload) off.
    public var port: Int? = 5443
    /// Listen address. Loopback by default: exposing it is the operator's decision.
    public var bindAddress: String = "127.0.0.1"
    /// TLS with the domain's certificate (Salon's OpenSSL layer). Off only behind a
    /// TLS-terminating proxy, and then only on loopback.
    public var tls: Bool = true
    /// The URL clients reach this server at, without a trailing slash (a proxy's address when
    /// there is one); nil: `https://<domain>:<port>`.
    public var publicURL: String?
    /// Seconds a connection may stay silent (a stalled upload) before it is closed.
    public var idleTimeout: Double = 60
    /// File upload (XEP-0363).
    public var upload = UploadConfiguration()
    /// The room-management pages.
    public var web = WebConfiguration()

    public init() {}
}

/// Who may download a file posted in a room.
public enum DownloadMode: String, Sendable, CaseIterable {
    /// Whoever holds the (unguessable) URL, while the message that carries it exists.
    case link
    /// Only an authenticated user who may read the room's history now (HTTP Basic).
    case members
}

/// XEP-0363 on `upload.<domain>`. The largest file is the service's MaxFileSizeKB.
public struct UploadConfiguration: Sendable {
    /// The service's domain; nil: `upload.<domain>`.
    public var domain: String?
    /// Bytes one user may upload per 24 hours.
    public var dailyQuotaBytes: Int64 = 1 << 30
    /// Bytes all kept files may take on disk together.
    public var storageCapBytes: Int64 = 20 << 30
    /// Content types accepted (lowercased; `image/*` covers a family); empty: all but the denied.
    public var allowedTypes: [String] = []
    /// Content types refused, whatever the allowed list says.
    public var deniedTypes: [String] = ["text/html", "application/xhtml+xml", "image/svg+xml", "application/javascript", "text/javascript"]
    /// Slot requests one user may make at once, and per minute after that.
    public var slotBurst: Int = 10
    public var slotsPerMinute: Int = 20
    /// Seconds a slot's PUT URL is valid.
    public var slotLifetime: Double = 600
    /// Seconds after its slot expires that an uploaded file not posted in any room is kept
    /// (1:1 sharing works for that long) before the sweep removes it.
    public var unpostedLifetime: Double = 3600
    /// Seconds between sweeps of unposted and revoked files.
    public var sweepInterval: Double = 300
    public var downloadMode: DownloadMode = .link

    public init() {}
}
