import Configuration
import SalonServer

/// `http.*`: the HTTP server and file upload (XEP-0363).
extension Settings {
    func httpConfiguration() throws -> HTTPConfiguration {
        var http = HTTPConfiguration()
        http.port = try port("http.port", default: 5443)
        http.bindAddress = reader.string(forKey: "http.bind", default: http.bindAddress)
        http.tls = reader.bool(forKey: "http.tls", default: true)
        if let url = reader.string(forKey: "http.public_url"), !url.isEmpty {
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw SettingsError(description: "http.public_url must start with https:// (or http://)")
            }
            http.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        http.idleTimeout = Double(try positive("http.idle_timeout", default: Int(http.idleTimeout), minimum: 5))
        var upload = http.upload
        if let domain = reader.string(forKey: "http.upload.domain"), !domain.isEmpty {
            upload.domain = try Self.domain(domain, key: "http.upload.domain")
        }
        upload.dailyQuotaBytes = Int64(try positive("http.upload.daily_quota_bytes", default: Int(upload.dailyQuotaBytes), minimum: 1))
        upload.storageCapBytes = Int64(try positive("http.upload.storage_cap_bytes", default: Int(upload.storageCapBytes), minimum: 1))
        upload.allowedTypes = reader.stringArray(forKey: "http.upload.allowed_types", default: upload.allowedTypes).map { $0.lowercased() }
        upload.deniedTypes = reader.stringArray(forKey: "http.upload.denied_types", default: upload.deniedTypes).map { $0.lowercased() }
        upload.slotBurst = try positive("http.upload.slot_burst", default: upload.slotBurst, minimum: 1)
        upload.slotsPerMinute = try positive("http.upload.slots_per_minute", default: upload.slotsPerMinute, minimum: 1)
        upload.slotLifetime = Double(try positive("http.upload.slot_lifetime", default: Int(upload.slotLifetime), minimum: 30))
        upload.unpostedLifetime = Double(try positive("http.upload.unposted_lifetime", default: Int(upload.unpostedLifetime), minimum: 0))
        upload.sweepInterval = Double(try positive("http.upload.sweep_interval", default: Int(upload.sweepInterval), minimum: 60))
        let mode = reader.string(forKey: "http.upload.download_mode", default: upload.downloadMode.rawValue)
        guard let downloadMode = DownloadMode(rawValue: mode) else {
            throw SettingsError(description: "http.upload.download_mode is link or members, not '\(mode)'")
        }
        upload.downloadMode = downloadMode
        http.upload = upload
        http.web.enabled = reader.bool(forKey: "http.web.enabled", default: http.web.enabled)
        http.web.sessionLifetime = Double(try positive("http.web.session_lifetime", default: Int(http.web.sessionLifetime), minimum: 60))
        http.web.maxSessionsPerAccount = try positive("http.web.max_sessions_per_account", default: http.web.maxSessionsPerAccount, minimum: 1)
        http.web.maxFormBytes = try positive("http.web.max_form_bytes", default: http.web.maxFormBytes, minimum: 4096)
        http.web.pageSize = try positive("http.web.page_size", default: http.web.pageSize, minimum: 1)
        return http
    }
}
