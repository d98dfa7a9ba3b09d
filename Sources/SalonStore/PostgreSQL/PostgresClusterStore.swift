import Foundation
import PostgresNIO

/// `ClusterStore` on PostgreSQL (migration `v9-cluster`). Liveness is decided in SQL against
/// the database's `now()`; joins and leaves are announced with NOTIFY on `salon_cluster` in the
/// transaction that makes them, so a listener hears of them once they are committed.
struct PostgresClusterStore: ClusterStore {
    let access: PostgresAccess
    let configuration: PostgresConfiguration
    let deadAfter: Duration

    /// `deadAfter` in seconds, bound as a double: `$n * interval '1 second'` in the statements.
    private var deadAfterSeconds: Double { Self.seconds(deadAfter) }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    @discardableResult
    func register(node: String, address: String) async throws -> Bool {
        try ClusterNames.checkNodeID(node)
        try ClusterNames.checkAddress(address)
        let seconds = deadAfterSeconds
        return try await access.transaction { transaction in
            let wasLive = try await transaction.query("""
                SELECT left_at IS NULL AND heartbeat_at > now() - \(seconds) * interval '1 second'
                FROM cluster_nodes WHERE id = \(node) FOR UPDATE
                """).first?.decode(Bool.self) ?? false
            try await transaction.query("""
                INSERT INTO cluster_nodes (id, address, started_at, heartbeat_at, left_at) VALUES (\(node), \(address), now(), now(), NULL)
                ON CONFLICT (id) DO UPDATE SET address = EXCLUDED.address, started_at = now(), heartbeat_at = now(), left_at = NULL
                """)
            try await transaction.query("UPDATE room_leases SET node = NULL WHERE node = \(node)")
            try await transaction.query("DELETE FROM cluster_sessions WHERE node = \(node)")
            try await PostgresClusterListener.announce(.joined(node: node), in: transaction)
            return wasLive
        }
    }

    func heartbeat(node: String) async throws -> Bool {
        guard ClusterNames.isNodeID(node) else { return false }
        return try await !access.execute(Heartbeat(node: node)).isEmpty
    }

    func leave(node: String) async throws {
        try ClusterNames.checkNodeID(node)
        try await access.transaction { transaction in
            let left = try await transaction.query("""
                UPDATE cluster_nodes SET left_at = now() WHERE id = \(node) AND left_at IS NULL RETURNING 1
                """)
            try await transaction.query("UPDATE room_leases SET node = NULL WHERE node = \(node)")
            try await transaction.query("DELETE FROM cluster_sessions WHERE node = \(node)")
            if !left.isEmpty {
                try await PostgresClusterListener.announce(.left(node: node), in: transaction)
            }
        }
    }

    func nodes() async throws -> [ClusterNode] {
        let seconds = deadAfterSeconds
        return try await access.query("""
            SELECT id, address, started_at, extract(epoch FROM now() - heartbeat_at)::float8, left_at,
                   heartbeat_at > now() - \(seconds) * interval '1 second'
            FROM cluster_nodes ORDER BY id
            """).map { row in
            let (id, address, startedAt, age, leftAt, fresh) = try row.decode((String, String, Date, Double, Date?, Bool).self)
            let state: ClusterNode.State = leftAt != nil ? .left : fresh ? .live : .dead
            return ClusterNode(id: id, address: address, startedAt: startedAt, heartbeatAge: max(0, age), leftAt: leftAt, state: state)
        }
    }

    func forgetNodes(goneFor age: Duration) async throws -> [String] {
        let seconds = Self.seconds(age)
        return try await access.transaction { transaction in
            // Locked, so a node registering again meanwhile waits and then makes a fresh row.
            let gone = try await transaction.query("""
                SELECT id FROM cluster_nodes
                WHERE coalesce(left_at, heartbeat_at) < now() - \(seconds) * interval '1 second'
                ORDER BY id FOR UPDATE
                """).map { try $0.decode(String.self) }
            guard !gone.isEmpty else { return [] }
            try await transaction.query("UPDATE room_leases SET node = NULL WHERE node = ANY(\(gone)::text[])")
            try await transaction.query("DELETE FROM cluster_sessions WHERE node = ANY(\(gone)::text[])")
            try await transaction.query("DELETE FROM cluster_nodes WHERE id = ANY(\(gone)::text[])")
            return gone
        }
    }

    func acquire(room: String, node: String) async throws -> LeaseAcquisition {
        try ClusterNames.checkNodeID(node)
        try ClusterNames.checkRoom(room)
        let seconds = deadAfterSeconds
        return try await access.transaction { transaction in
            // Held until COMMIT, so the node cannot leave between this check and the lease.
            let member = try await transaction.query("""
                SELECT 1 FROM cluster_nodes
                WHERE id = \(node) AND left_at IS NULL AND heartbeat_at > now() - \(seconds) * interval '1 second' FOR SHARE
                """)
            guard !member.isEmpty else {
                throw StoreError(.notClusterMember, "cluster node \(node) is not live (not registered, left, or its heartbeat is too old)")
            }
            // Two nodes taking one room at once: the second waits for the first's row and then
            // finds a live holder, so only one of them gets the new epoch.
            let taken = try await transaction.query("""
                INSERT INTO room_leases AS lease (room, node, epoch, acquired_at) VALUES (\(room), \(node), 1, now())
                ON CONFLICT (room) DO UPDATE SET node = EXCLUDED.node, epoch = lease.epoch + 1, acquired_at = now()
                WHERE lease.node IS NULL OR NOT EXISTS (
                    SELECT 1 FROM cluster_nodes holder
                    WHERE holder.id = lease.node AND holder.left_at IS NULL
                      AND holder.heartbeat_at > now() - \(seconds) * interval '1 second')
                RETURNING epoch
                """)
            if let epoch = try taken.first?.decode(Int64.self) {
                return .granted(RoomLease(room: room, node: node, epoch: epoch))
            }
            let (holder, epoch) = try await transaction.query("SELECT node, epoch FROM room_leases WHERE room = \(room)")
                .first!.decode((String, Int64).self)
            let lease = RoomLease(room: room, node: holder, epoch: epoch)
            return holder == node ? .granted(lease) : .heldElsewhere(lease)
        }
    }

    @discardableResult
    func release(room: String, node: String) async throws -> Bool {
        guard ClusterNames.isNodeID(node), PostgresText.isStorable(room) else { return false }
        return try await !access.query("""
            UPDATE room_leases SET node = NULL WHERE room = \(room) AND node = \(node) RETURNING 1
            """).isEmpty
    }

    func leases(of node: String) async throws -> [RoomLease] {
        guard ClusterNames.isNodeID(node) else { return [] }
        return try await access.query("SELECT room, epoch FROM room_leases WHERE node = \(node) ORDER BY room").map { row in
            let (room, epoch) = try row.decode((String, Int64).self)
            return RoomLease(room: room, node: node, epoch: epoch)
        }
    }

    func leaseCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await access.query("SELECT node, count(*) FROM room_leases WHERE node IS NOT NULL GROUP BY node") {
            let (node, count) = try row.decode((String, Int).self)
            counts[node] = count
        }
        return counts
    }

    func watch(ready: @Sendable () -> Void, _ onEvent: @Sendable (ClusterEvent) async -> Void) async throws {
        try await PostgresClusterListener(configuration: configuration, logger: access.logger).listen(ready: ready, onEvent)
    }

    @discardableResult
    func recordOccupants(_ occupants: [RecordedOccupant], lease: RoomLease) async throws -> Bool {
        try ClusterNames.checkRoom(lease.room)
        guard occupants.allSatisfy({ PostgresText.isStorable($0.nick) && PostgresText.isStorable($0.session)
                                        && ClusterNames.isNodeID($0.node) && PostgresText.isStorable($0.affiliation) }) else {
            throw StoreError(.invalidArgument, "an occupant record holds text PostgreSQL cannot store")
        }
        let room = lease.room
        return try await access.transaction { transaction in
            // Held until COMMIT: the lease cannot change hands between this check and the write.
            let holds = try await transaction.query("""
                SELECT 1 FROM room_leases WHERE room = \(room) AND node = \(lease.node) AND epoch = \(lease.epoch) FOR SHARE
                """)
            guard !holds.isEmpty else { return false }
            try await transaction.query("DELETE FROM room_occupants WHERE room = \(room)")
            guard !occupants.isEmpty else { return true }
            try await transaction.query("""
                INSERT INTO room_occupants (room, session, nick, node, affiliation)
                SELECT \(room), session, nick, node, affiliation
                FROM unnest(\(occupants.map(\.session))::text[], \(occupants.map(\.nick))::text[],
                            \(occupants.map(\.node))::text[], \(occupants.map(\.affiliation))::text[]) AS o(session, nick, node, affiliation)
                ON CONFLICT (room, session) DO NOTHING
                """)
            return true
        }
    }

    func recordedOccupants(of room: String) async throws -> [RecordedOccupant] {
        guard PostgresText.isStorable(room) else { return [] }
        return try await access.query("""
            SELECT nick, session, node, affiliation FROM room_occupants WHERE room = \(room) ORDER BY nick, session
            """).map { row in
            let (nick, session, node, affiliation) = try row.decode((String, String, String, String).self)
            return RecordedOccupant(nick: nick, session: session, node: node, affiliation: affiliation)
        }
    }

    func recordSessions(node: String, bound: [String], ended: [String]) async throws {
        try ClusterNames.checkNodeID(node)
        let bound = bound.filter(PostgresText.isStorable), ended = ended.filter(PostgresText.isStorable)
        guard !bound.isEmpty || !ended.isEmpty else { return }
        try await access.transaction { transaction in
            if !ended.isEmpty {
                try await transaction.query("DELETE FROM cluster_sessions WHERE jid = ANY(\(ended)::text[]) AND node = \(node)")
            }
            if !bound.isEmpty {
                try await transaction.query("""
                    INSERT INTO cluster_sessions (jid, node, bound_at) SELECT jid, \(node), now() FROM unnest(\(bound)::text[]) AS s(jid)
                    ON CONFLICT (jid) DO UPDATE SET node = EXCLUDED.node, bound_at = EXCLUDED.bound_at
                    """)
            }
        }
    }

    func forgetSessions(of node: String) async throws {
        guard ClusterNames.isNodeID(node) else { return }
        _ = try await access.query("DELETE FROM cluster_sessions WHERE node = \(node)")
    }

    func sessionCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await access.query("SELECT node, count(*) FROM cluster_sessions GROUP BY node") {
            let (node, count) = try row.decode((String, Int).self)
            counts[node] = count
        }
        return counts
    }

    /// Every node runs it each second: parsed once per pooled connection.
    struct Heartbeat: PostgresPreparedStatement {
        static let sql = "UPDATE cluster_nodes SET heartbeat_at = now() WHERE id = $1 AND left_at IS NULL RETURNING 1"
        typealias Row = Int
        let node: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(node)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Int.self)
        }
    }
}
