import PersistentChat

/// `compliance.*`: recording and the exporter (README, Compliance). What `salon compliance set`
/// stores in the database overrides these.
extension Settings {
    func complianceDefaults() throws -> ComplianceSettings {
        var settings = ComplianceSettings()
        let texts: [(String, String?)] = [
            ("enabled", reader.bool(forKey: "compliance.enabled").map { "\($0)" }),
            ("run_interval", reader.string(forKey: "compliance.run_interval") ?? reader.int(forKey: "compliance.run_interval").map { "\($0)" }),
            ("output_directory", reader.string(forKey: "compliance.output_directory")),
            ("adapter", reader.string(forKey: "compliance.adapter")),
            ("one_chat_room_per_output_file", reader.bool(forKey: "compliance.one_chat_room_per_output_file").map { "\($0)" }),
            ("add_user_details", reader.bool(forKey: "compliance.add_user_details").map { "\($0)" }),
            ("add_chat_room_details", reader.bool(forKey: "compliance.add_chat_room_details").map { "\($0)" }),
        ]
        for (key, value) in texts {
            guard let value else { continue }
            do {
                try settings.set(key, to: value)
            } catch {
                throw SettingsError(description: "compliance.\(key): \(error.message)")
            }
        }
        return settings
    }
}
