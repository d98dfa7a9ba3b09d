import Configuration
import Logging
import SalonServer

/// The settings only `serve` reads: listeners, TLS, components, limits, logging.
extension Settings {
    /// Everything `serve` runs with.
    func serverConfiguration() throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.administration = try adminConfiguration()
        configuration.bindAddress = reader.string(forKey: "bind", default: configuration.bindAddress)
        configuration.c2sPort = try port("ports.c2s", default: 5222)!
        configuration.directTLSPort = try port("ports.tls", default: 5223)
        configuration.componentPort = try port("ports.component", default: 5347)
        configuration.certificateDirectory = reader.string(forKey: "paths.certs", default: configuration.certificateDirectory)
        configuration.requireTLS = reader.bool(forKey: "tls.required", default: true)
        configuration.tlsSessionTickets = reader.bool(forKey: "tls.session_tickets", default: configuration.tlsSessionTickets)
        configuration.tlsTicketKeyRotation = try positive("tls.ticket_key_rotation", default: configuration.tlsTicketKeyRotation,
                                                          minimum: 60)
        if let chat = reader.string(forKey: "chat.domain"), !chat.isEmpty { configuration.chatDomain = try Self.domain(chat, key: "chat.domain") }
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
        limits.authInProgressPerAddress = try positive("limits.auth_in_progress_per_address", default: limits.authInProgressPerAddress, minimum: 1)
        limits.idleTimeout = Double(try positive("limits.idle_timeout", default: Int(limits.idleTimeout), minimum: 5))
        limits.idleParserRelease = Double(try positive("limits.idle_parser_release", default: Int(limits.idleParserRelease), minimum: 0))
        limits.offlineMessages = try positive("limits.offline_messages", default: limits.offlineMessages, minimum: 0)
        limits.maxQueuedBytes = try positive("limits.max_queued_bytes", default: limits.maxQueuedBytes, minimum: 2 * limits.maxStanzaBytes)
        limits.maxRosterItems = try positive("limits.max_roster_items", default: limits.maxRosterItems, minimum: 1)
        limits.maxBlocklistItems = try positive("limits.max_blocklist_items", default: limits.maxBlocklistItems, minimum: 1)
        limits.maxVCardBytes = try positive("limits.max_vcard_bytes", default: limits.maxVCardBytes, minimum: 1024)
        limits.csiHeldStanzas = try positive("limits.csi_held_stanzas", default: limits.csiHeldStanzas, minimum: 1)
        limits.csiHeldBytes = try positive("limits.csi_held_bytes", default: limits.csiHeldBytes, minimum: 1024)
        limits.smUnackedStanzas = try positive("limits.sm_unacked_stanzas", default: limits.smUnackedStanzas, minimum: 10)
        limits.smUnackedBytes = try positive("limits.sm_unacked_bytes", default: limits.smUnackedBytes, minimum: limits.maxStanzaBytes)
        limits.smResumeTimeout = try positive("limits.sm_resume_timeout", default: limits.smResumeTimeout, minimum: 0)
        limits.roomPresenceBurst = try positive("limits.room_presence_burst", default: limits.roomPresenceBurst, minimum: 1)
        limits.roomPresencePerMinute = try positive("limits.room_presence_per_minute", default: limits.roomPresencePerMinute, minimum: 1)
        limits.roomNickChangeBurst = try positive("limits.room_nick_change_burst", default: limits.roomNickChangeBurst, minimum: 1)
        limits.roomNickChangesPerMinute = try positive("limits.room_nick_changes_per_minute", default: limits.roomNickChangesPerMinute, minimum: 1)
        limits.lockedRoomsPerUser = try positive("limits.locked_rooms_per_user", default: limits.lockedRoomsPerUser, minimum: 1)
        limits.directedPresences = try positive("limits.directed_presences", default: limits.directedPresences, minimum: 10)
        var personal = limits.personalData
        personal.privateStorageNamespaces = try positive("limits.private_storage_namespaces", default: personal.privateStorageNamespaces, minimum: 1)
        personal.privateStorageBytes = try positive("limits.private_storage_bytes", default: personal.privateStorageBytes, minimum: 4096)
        personal.pepNodes = try positive("limits.pep_nodes", default: personal.pepNodes, minimum: 1)
        personal.pepItemsPerNode = try positive("limits.pep_items_per_node", default: personal.pepItemsPerNode, minimum: 1)
        personal.pepItemBytes = try positive("limits.pep_item_bytes", default: personal.pepItemBytes, minimum: 1024)
        personal.pepAccountBytes = try positive("limits.pep_account_bytes", default: personal.pepAccountBytes, minimum: personal.pepItemBytes)
        personal.pepSubscribersPerNode = try positive("limits.pep_subscribers_per_node", default: personal.pepSubscribersPerNode, minimum: 1)
        personal.pepItemsReplyBytes = try positive("limits.pep_items_reply_bytes", default: personal.pepItemsReplyBytes, minimum: 4096)
        limits.personalData = personal
        limits.pushRegistrations = try positive("limits.push_registrations", default: limits.pushRegistrations, minimum: 1)
        limits.pushBurst = try positive("limits.push_burst", default: limits.pushBurst, minimum: 1)
        limits.pushPerMinute = try positive("limits.push_per_minute", default: limits.pushPerMinute, minimum: 1)
        configuration.limits = limits
        configuration.pushIncludesBody = reader.bool(forKey: "push.include_body", default: false)
        configuration.http = try httpConfiguration()
        configuration.metrics = try metricsConfiguration()
        if let directory = reader.string(forKey: "export.directory"), !directory.isEmpty { configuration.exportDirectory = directory }
        return configuration
    }

    var logLevel: Logger.Level {
        Logger.Level(rawValue: reader.string(forKey: "log.level", default: "info")) ?? .info
    }

    /// A port number; a negative value turns that listener off.
    func port(_ key: String, default value: Int) throws -> Int? {
        let port = reader.int(forKey: ConfigKey(key), default: value)
        guard port <= 65_535 else { throw SettingsError(description: "\(key) must be a port number (0 picks any, negative turns it off)") }
        return port < 0 ? nil : port
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
