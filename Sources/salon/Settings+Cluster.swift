import SalonAdmin
import SalonStore

/// `cluster.*`: several nodes serving one domain from one PostgreSQL database (issue #21).
extension Settings {
    /// The cluster settings, refused (naming the setting) when they cannot work with `storage`.
    func clusterConfiguration(storage: StorageConfiguration) throws -> ClusterConfiguration {
        var cluster = ClusterConfiguration()
        cluster.enabled = reader.bool(forKey: "cluster.enabled", default: false)
        if let id = reader.string(forKey: "cluster.node_id"), !id.isEmpty { cluster.nodeID = id }
        if let address = reader.string(forKey: "cluster.address"), !address.isEmpty { cluster.address = address }
        if let path = reader.string(forKey: "cluster.secret_file"), !path.isEmpty {
            do {
                cluster.secret = try ClusterSecret.load(path: path)
            } catch let error as ClusterConfigurationError {
                throw SettingsError(description: error.description)
            }
        }
        cluster.deadAfter = .seconds(try positive("cluster.dead_after", default: Int(cluster.deadAfter.components.seconds), minimum: 2))
        cluster.forgetAfter = .seconds(try positive("cluster.forget_after", default: Int(cluster.forgetAfter.components.seconds), minimum: 60))
        do {
            try cluster.check(storage: storage)
        } catch let error as ClusterConfigurationError {
            throw SettingsError(description: error.description)
        }
        return cluster
    }
}
