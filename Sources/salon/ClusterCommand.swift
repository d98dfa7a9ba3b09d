import ArgumentParser
import SalonAdmin
import SalonStore

/// `salon cluster status`: the nodes of a cluster on PostgreSQL and the rooms each holds.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cluster", abstract: "Look at the nodes serving this domain together.",
                                                    subcommands: [Status.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the cluster's nodes: address, heartbeat age, live/dead/left, room leases.",
            discussion: """
                Reads the membership from the database (storage.backend: postgresql). A node is dead once its \
                heartbeat is older than cluster.dead_after (the database's clock) and left after a clean shutdown.
                """)
        @OptionGroup var common: CommonOptions

        func run() async throws {
            // Asked before any database is opened: a SQLite installation has nothing to show.
            guard case .postgresql = try await commandConfiguration(common).storage else { throw Self.noCluster }
            let status = try await withDatabase(common) { configuration, database in
                guard let store = database.cluster(deadAfter: configuration.cluster.deadAfter) else { throw Self.noCluster }
                return try await ClusterStatus.read(store)
            }
            status.lines.forEach { print($0) }
        }

        private static var noCluster: ExitCode {
            CleanExit.failure("salon: there is no cluster on SQLite: nodes share one domain through PostgreSQL "
                              + "(storage.backend: postgresql, cluster.enabled: true)")
        }
    }
}
