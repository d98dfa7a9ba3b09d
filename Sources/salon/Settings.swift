import Configuration
import Foundation
import Logging
import SalonServer
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

    func serverConfiguration() throws -> ServerConfiguration {
        var configuration = ServerConfiguration(domain: try Self.domain(reader.requiredString(forKey: "domain", default: "localhost"), key: "domain"))
        configuration.bindAddress = reader.string(forKey: "bind", default: configuration.bindAddress)
        configuration.c2sPort = try port("ports.c2s", default: 5222)!
        configuration.directTLSPort = try port("ports.tls", default: 5223)
        configuration.componentPort = try port("ports.component", default: 5347)
        configuration.dataDirectory = reader.string(forKey: "paths.data", default: configuration.dataDirectory)
        configuration.certificateDirectory = reader.string(forKey: "paths.certs", default: configuration.certificateDirectory)
        configuration.requireTLS = reader.bool(forKey: "tls.required", default: true)
        if let chat = reader.string(forKey: "chat.domain"), !chat.isEmpty { configuration.chatDomain = try Self.domain(chat, key: "chat.domain") }
        configuration.scramIterations = try positive("scram.iterations", default: configuration.scramIterations, minimum: 4096)
        for entry in reader.stringArray(forKey: "components", default: []) {
            let (domain, secret) = try Self.component(entry)
            configuration.components[domain] = secret
        }
        var limits = configuration.limits
        limits.maxStanzaBytes = try positive("limits.max_stanza_bytes", default: limits.maxStanzaBytes, minimum: 10_000)
        limits.negotiationStanzaBytes = try positive("limits.negotiation_stanza_bytes", default: limits.negotiationStanzaBytes, minimum: 4096)
        limits.negotiationBytes = try positive("limits.negotiation_bytes", default: limits.negotiationBytes, minimum: 16_384)
        limits.maxDepth = try positive("limits.max_depth", default: limits.maxDepth, minimum: 4)
        limits.bytesPerSecond = try positive("limits.bytes_per_second", default: limits.bytesPerSecond, minimum: 1024)
        limits.burstBytes = try positive("limits.burst_bytes", default: limits.burstBytes, minimum: limits.maxStanzaBytes)
        limits.maxConnections = try positive("limits.max_connections", default: limits.maxConnections, minimum: 1)
        limits.maxConnectionsPerAddress = try positive("limits.max_connections_per_address", default: limits.maxConnectionsPerAddress, minimum: 1)
        limits.componentMaxConnections = try positive("limits.component_max_connections", default: limits.componentMaxConnections, minimum: 1)
        limits.componentMaxConnectionsPerAddress = try positive("limits.component_max_connections_per_address",
                                                                default: limits.componentMaxConnectionsPerAddress, minimum: 1)
        limits.negotiationTimeout = Double(try positive("limits.negotiation_timeout", default: Int(limits.negotiationTimeout), minimum: 1))
        limits.idleTimeout = Double(try positive("limits.idle_timeout", default: Int(limits.idleTimeout), minimum: 5))
        limits.offlineMessages = try positive("limits.offline_messages", default: limits.offlineMessages, minimum: 0)
        limits.maxQueuedBytes = try positive("limits.max_queued_bytes", default: limits.maxQueuedBytes, minimum: 2 * limits.maxStanzaBytes)
        limits.maxRosterItems = try positive("limits.max_roster_items", default: limits.maxRosterItems, minimum: 1)
        limits.roomPresenceBurst = try positive("limits.room_presence_burst", default: limits.roomPresenceBurst, minimum: 1)
        limits.roomPresencePerMinute = try positive("limits.room_presence_per_minute", default: limits.roomPresencePerMinute, minimum: 1)
        limits.roomNickChangeBurst = try positive("limits.room_nick_change_burst", default: limits.roomNickChangeBurst, minimum: 1)
        limits.roomNickChangesPerMinute = try positive("limits.room_nick_changes_per_minute", default: limits.roomNickChangesPerMinute, minimum: 1)
        configuration.limits = limits
        return configuration
    }

    var logLevel: Logger.Level {
        Logger.Level(rawValue: reader.string(forKey: "log.level", default: "info")) ?? .info
    }

    /// A port number; a negative value turns that listener off.
    private func port(_ key: String, default value: Int) throws -> Int? {
        let port = reader.int(forKey: ConfigKey(key), default: value)
        guard port <= 65_535 else { throw SettingsError(description: "\(key) must be a port number (0 picks any, negative turns it off)") }
        return port < 0 ? nil : port
    }

    private func positive(_ key: String, default value: Int, minimum: Int) throws -> Int {
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

    /// `DOMAIN=SECRET`.
    static func component(_ entry: String) throws -> (String, String) {
        let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw SettingsError(description: "a component is written DOMAIN=SECRET, not '\(entry)'")
        }
        return (try domain(parts[0], key: "component"), parts[1])
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
