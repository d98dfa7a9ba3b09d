import PostgresNIO

/// The fencing check a writer runs inside its transaction before writing for a room (issue
/// #21): the room's lease must still be (room, node, epoch). The row is locked `FOR SHARE`
/// until COMMIT, so a node taking the room over (which updates the row) waits for the write
/// to commit and then gives the room a greater epoch: a write fenced with the old epoch can
/// never commit after the takeover.
///
/// Not wired into the archive's group commit yet: a batch holds several rooms' posts, and one
/// room's lost lease must fail only that room's posts, which the batch insert cannot do in
/// one statement. Issue #21's routing work adds it with the owner's writer.
struct PostgresLeaseFence: PostgresPreparedStatement {
    static let sql = "SELECT 1 FROM room_leases WHERE room = $1 AND node = $2 AND epoch = $3 FOR SHARE"
    typealias Row = Int
    let lease: RoomLease

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(lease.room)
        bindings.append(lease.node)
        bindings.append(lease.epoch)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Int.self)
    }

    /// Throws leaseLost unless `lease` still holds; the row stays locked until `transaction` ends.
    static func check(_ lease: RoomLease, in transaction: PostgresAccess.Transaction) async throws {
        guard ClusterNames.isNodeID(lease.node), PostgresText.isStorable(lease.room),
              try await !transaction.execute(PostgresLeaseFence(lease: lease)).isEmpty else {
            throw StoreError(.leaseLost, "the lease of room \(lease.room) is no longer node \(lease.node)'s at epoch \(lease.epoch)")
        }
    }
}
