import Configuration
import Foundation
import SalonAdmin
import SystemPackage
import XMPPCore

/// Reads the server configuration: flags, then SALON_* environment variables, then the YAML
/// file, then built-in defaults. Keys are documented in Config/salon.yaml.
struct Settings {
    static let defaultFile = "Config/salon.yaml"

    let reader: ConfigReader

    /// `flags` are the values given on the command line, by configuration key.
    static func load(file: String?, flags: [AbsoluteConfigKey: ConfigValue] = [:]) async throws -> Settings {
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "flags", values: flags),
            EnvironmentVariablesProvider(environmentVariables: salonEnvironment()),
        ]
        let path = file ?? (FileManager.default.fileExists(atPath: defaultFile) ? defaultFile : nil)
        if let path {
            guard FileManager.default.fileExists(atPath: path) else {
                throw SettingsError(description: "configuration file \(path) does not exist")
            }
            do {
                providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(path)))
            } catch {
                throw SettingsError(description: "cannot read \(path): \(error)")
            }
        }
        return Settings(reader: ConfigReader(providers: providers))
    }

    /// SALON_PORTS_C2S=5222 configures `ports.c2s`: the prefix keeps unrelated variables out.
    static func salonEnvironment() -> [String: String] {
        var environment: [String: String] = [:]
        for (key, value) in ProcessInfo.processInfo.environment where key.hasPrefix("SALON_") {
            environment[String(key.dropFirst("SALON_".count))] = value
        }
        return environment
    }

    /// What every command needs: the domain, the data directory and storage, the SCRAM iterations.
    func adminConfiguration() throws -> AdminConfiguration {
        var configuration = AdminConfiguration(domain: try Self.domain(reader.requiredString(forKey: "domain", default: "localhost"), key: "domain"))
        configuration.dataDirectory = reader.string(forKey: "paths.data", default: configuration.dataDirectory)
        configuration.storage = try storage()
        configuration.scramIterations = try positive("scram.iterations", default: configuration.scramIterations, minimum: 4096)
        configuration.compliance = try complianceDefaults()
        configuration.cluster = try clusterConfiguration(storage: configuration.storage)
        return configuration
    }

    /// An integer setting, refused below `minimum`.
    func positive(_ key: String, default value: Int, minimum: Int) throws -> Int {
        let number = reader.int(forKey: ConfigKey(key), default: value)
        guard number >= minimum else { throw SettingsError(description: "\(key) must be at least \(minimum)") }
        return number
    }

    /// A domain as XMPP normalises it; anything that is not a bare domain JID is refused.
    static func domain(_ text: String, key: String) throws -> String {
        guard let jid = try? JID(text), jid.localpart == nil, jid.resourcepart == nil else {
            throw SettingsError(description: "\(key) '\(text)' is not a valid XMPP domain")
        }
        return jid.domainpart
    }
}

struct SettingsError: Error, CustomStringConvertible {
    let description: String
}

extension ConfigReader {
    func requiredString(forKey key: String, default value: String) throws -> String {
        let text = string(forKey: ConfigKey(key), default: value)
        guard !text.isEmpty else { throw SettingsError(description: "\(key) must not be empty") }
        return text
    }
}
