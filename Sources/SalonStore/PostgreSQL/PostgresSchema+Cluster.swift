extension PostgresSchema {
    /// Migration "v9-cluster" (issue #21): the nodes of a cluster and the rooms' leases.
    /// Times are `timestamptz` from the database's `now()`, unlike the other tables' bigint
    /// milliseconds: liveness compares heartbeats with the database's clock, never a node's.
    ///
    /// A lease row is never deleted, only left without holder (`node` NULL), so a room's epoch
    /// only grows and a write fenced with an old epoch can never match again.
    static let cluster = Migration(name: "v9-cluster", statements: [
        """
        CREATE TABLE cluster_nodes (
            id text COLLATE "C" NOT NULL PRIMARY KEY,
            address text NOT NULL,
            started_at timestamptz NOT NULL,
            heartbeat_at timestamptz NOT NULL,
            left_at timestamptz
        )
        """,
        """
        CREATE TABLE room_leases (
            room text COLLATE "C" NOT NULL PRIMARY KEY,
            node text COLLATE "C" REFERENCES cluster_nodes(id),
            epoch bigint NOT NULL CHECK (epoch > 0),
            acquired_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX room_leases_by_node ON room_leases (node) WHERE node IS NOT NULL",
    ])
}

extension PostgresSchema {
    /// Migration "v10-room-occupants" (issue #21): who sits in each room, by session and node, as
    /// the room's owner last recorded it; a room's next owner reads it when the last one died.
    static let roomOccupants = Migration(name: "v10-room-occupants", statements: [
        """
        CREATE TABLE room_occupants (
            room text COLLATE "C" NOT NULL,
            session text COLLATE "C" NOT NULL,
            nick text NOT NULL,
            node text COLLATE "C" NOT NULL,
            affiliation text COLLATE "C" NOT NULL,
            PRIMARY KEY (room, session)
        )
        """,
    ])
}

extension PostgresSchema {
    /// Migration "v11-cluster-sessions" (issue #21): every bound client session, by full JID, and
    /// the node it is on. Nodes route by the session directory their links replicate; this is
    /// the record an operator (and `salon cluster status`) reads.
    static let clusterSessions = Migration(name: "v11-cluster-sessions", statements: [
        """
        CREATE TABLE cluster_sessions (
            jid text COLLATE "C" NOT NULL PRIMARY KEY,
            node text COLLATE "C" NOT NULL,
            bound_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX cluster_sessions_by_node ON cluster_sessions (node)",
    ])
}
