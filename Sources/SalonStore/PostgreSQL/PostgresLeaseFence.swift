import PostgresNIO

/// The fencing check a writer runs inside its transaction before writing for a room (issue
/// #21): the room's lease must still be (room, node, epoch). The row is locked `FOR SHARE`
/// until COMMIT, so a node taking the room over (which updates the row) waits for the write
/// to commit and then gives the room a greater epoch: a write fenced with the old epoch can
/// never commit after the takeover.
///
/// The check is one statement (`Batch`) for any number of leases: the archive's group commit
/// fences the posts that carry one (`StoredMessage.lease`) with `lost`, so one room's lost lease
/// fails only that room's posts.
enum PostgresLeaseFence {
    /// Throws leaseLost unless `lease` still holds; the row stays locked until `transaction` ends.
    static func check(_ lease: RoomLease, in transaction: PostgresAccess.Transaction) async throws {
        guard try await lost([lease], in: transaction).isEmpty else { throw lostError(lease) }
    }

    /// The leases among `leases` that no longer hold; the rows of those that do stay locked
    /// until `transaction` ends, in room order (as every writer takes them, so none deadlock).
    static func lost(_ leases: [RoomLease], in transaction: PostgresAccess.Transaction) async throws -> Set<RoomLease> {
        let wanted = Set(leases)
        let checkable = wanted.filter { ClusterNames.isNodeID($0.node) && PostgresText.isStorable($0.room) }
        let held = checkable.isEmpty ? [] : try await transaction.execute(Batch(leases: Array(checkable)))
        return wanted.subtracting(held)
    }

    static func lostError(_ lease: RoomLease) -> StoreError {
        StoreError(.leaseLost, "the lease of room \(lease.room) is no longer node \(lease.node)'s at epoch \(lease.epoch)")
    }

    /// Every lease of a group commit in one statement: those that still hold, their rows locked.
    struct Batch: PostgresPreparedStatement {
        static let sql = """
            SELECT l.room, l.node, l.epoch
            FROM unnest($1::text[], $2::text[], $3::bigint[]) AS f(room, node, epoch)
            JOIN room_leases l ON l.room = f.room AND l.node = f.node AND l.epoch = f.epoch
            ORDER BY l.room
            FOR SHARE OF l
            """
        typealias Row = RoomLease
        let leases: [RoomLease]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(leases.map(\.room))
            bindings.append(leases.map(\.node))
            bindings.append(leases.map(\.epoch))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            let (room, node, epoch) = try row.decode((String, String, Int64).self)
            return RoomLease(room: room, node: node, epoch: epoch)
        }
    }
}
