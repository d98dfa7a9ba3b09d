/// The backends the shared store and transfer tests run on: the same assertions against each
/// (Swift Testing arguments: `TestBackend.all`).
public enum TestBackend: String, Sendable, CustomStringConvertible {
    case sqlite, postgresql

    public var description: String { rawValue }

    /// PostgreSQL runs when its cluster is given, and always in CI (`TestCluster.isEnabled`).
    public static var postgresEnabled: Bool { TestCluster.isEnabled }

    public static let skipReason =
        "SALON_TEST_POSTGRES_URL is not set (Scripts/test starts a cluster and sets it): PostgreSQL tests skipped"

    public static var all: [TestBackend] { postgresEnabled ? [.sqlite, .postgresql] : [.sqlite] }
}
