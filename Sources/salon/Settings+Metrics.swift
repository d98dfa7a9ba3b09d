import SalonServer

/// `metrics.*`: who may read `/metrics` on the HTTP server.
extension Settings {
    func metricsConfiguration() throws -> MetricsConfiguration {
        var metrics = MetricsConfiguration()
        // A list (`[127.0.0.1, 10.0.0.0/8]`) or one string (`any`, or entries separated by commas).
        let entries = reader.string(forKey: "metrics.allow").map { $0.split(separator: ",").map(String.init) }
            ?? reader.stringArray(forKey: "metrics.allow", default: ["127.0.0.0/8", "::1/128"])
        do {
            metrics.allow = try AddressAllowList(entries)
        } catch {
            throw SettingsError(description: "metrics.allow: \(error)")
        }
        return metrics
    }
}
