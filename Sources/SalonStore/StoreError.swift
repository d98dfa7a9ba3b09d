import GRDB

/// A failure of the Salon store, with a kind callers can match and a message for people.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as an open set of named kinds (new kinds may appear later).
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        /// A short stable name of the kind, e.g. "userExists".
        public let name: String

        /// Creates a kind named `name`.
        public init(_ name: String) { self.name = name }

        /// An account with that JID already exists.
        public static let userExists = Kind("userExists")
        /// No account with that JID exists.
        public static let userNotFound = Kind("userNotFound")
        /// An argument was rejected before touching the database (empty JID, bad subscription…).
        public static let invalidArgument = Kind("invalidArgument")
        /// The database stayed locked by another connection or process longer than the busy timeout.
        public static let busy = Kind("busy")
        /// The database was migrated by a newer Salon whose schema this build does not know.
        public static let schemaTooNew = Kind("schemaTooNew")
        /// A configured cap (such as the roster size) would be exceeded; nothing was written.
        public static let limitReached = Kind("limitReached")
        /// The database server cannot be reached (PostgreSQL down, its connections failing);
        /// nothing was written. Worth retrying later.
        public static let unavailable = Kind("unavailable")
        /// A room's lease is no longer the writer's (another node took it, or a newer epoch):
        /// nothing was written, and this node must stop serving the room (issue #21).
        public static let leaseLost = Kind("leaseLost")
        /// The cluster node is not live (never registered, left, or its heartbeat aged past the
        /// dead-after interval): it may not take leases.
        public static let notClusterMember = Kind("notClusterMember")
        /// Any other failure (I/O, corruption, closed database…); see the message.
        public static let other = Kind("other")

        public var description: String { name }
    }

    /// The kind of failure, for matching.
    public let kind: Kind
    /// A human-readable explanation.
    public let message: String

    /// Creates an error of `kind` explained by `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind): \(message)" }

    /// True when `error` is of `kind`: `if error == .userExists { … }`.
    public static func == (error: StoreError, kind: Kind) -> Bool { error.kind == kind }

    /// True when `error` is not of `kind`.
    public static func != (error: StoreError, kind: Kind) -> Bool { error.kind != kind }

    /// Lets `switch error { case .userNotFound: … }` match on the kind.
    public static func ~= (kind: Kind, error: StoreError) -> Bool { error.kind == kind }
}

extension StoreError {
    /// Turns any failure into a StoreError, keeping StoreErrors and cancellation as they are.
    static func wrapping(_ error: any Error) -> any Error {
        switch error {
        case let storeError as StoreError:
            return storeError
        case is CancellationError:
            return error
        case let databaseError as DatabaseError:
            if databaseError.resultCode == .SQLITE_BUSY || databaseError.resultCode == .SQLITE_LOCKED {
                return StoreError(.busy, "database is locked: \(databaseError)")
            }
            return StoreError(.other, "database error: \(databaseError)")
        default:
            return StoreError(.other, "\(error)")
        }
    }
}
