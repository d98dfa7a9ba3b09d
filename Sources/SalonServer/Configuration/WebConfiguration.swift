/// The room-management pages (`/rooms` on the HTTP server).
public struct WebConfiguration: Sendable {
    /// Off: no pages, and RoomManagementUrl keeps only what the directory says.
    public var enabled: Bool = true
    /// Seconds a sign-in lasts (it does not slide: a new sign-in after it).
    public var sessionLifetime: Double = 8 * 3600
    /// Sessions one account keeps at once; a new one ends the oldest past it.
    public var maxSessionsPerAccount: Int = 10
    /// The largest form body accepted, in bytes (413 past it).
    public var maxFormBytes: Int = 256 * 1024
    /// Messages per page of a room's history and archive search.
    public var pageSize: Int = 25

    public init() {}
}
