import Foundation
import PersistentChat
import SalonStore

/// Compliance operations for the command line (`salon compliance`) and the server's ad-hoc
/// commands alike: show and change the settings, export now, verify the chain.
public struct ComplianceAdministration: Sendable {
    public let database: any StoreBackend
    let configuration: AdminConfiguration
    let chatDomain: String

    public init(database: any StoreBackend, configuration: AdminConfiguration, chatDomain: String) {
        self.database = database
        self.configuration = configuration
        self.chatDomain = chatDomain
    }

    /// The configuration file's settings, before what was stored.
    public var defaults: ComplianceSettings { configuration.compliance }

    public var exporter: ComplianceExporter {
        ComplianceExporter(database: database, serverDomain: configuration.domain, chatDomain: chatDomain,
                           dataDirectory: configuration.dataDirectory)
    }

    /// The settings in force: the configuration file's, overridden by what was set.
    public func settings() async throws -> ComplianceSettings {
        try await database.compliance.settings(defaults: configuration.compliance)
    }

    /// Each setting with its value, then the journal's counts, as lines.
    public func show() async throws -> [String] {
        let settings = try await settings()
        let counts = try await database.compliance.counts()
        var lines = try ComplianceSettings.keys.map { "\($0): \(try settings.value(of: $0))" }
        lines.append("output path: \(exporter.outputDirectory(settings))")
        lines.append("events: \(counts.total), waiting for export: \(counts.pending)")
        return lines
    }

    /// Changes one setting and journals the change (in one transaction); returns the new settings.
    @discardableResult
    public func set(_ key: String, to value: String, by actor: String, session: String = "") async throws -> ComplianceSettings {
        // Checked first, so a bad value is the rule's own message.
        var probe = try await settings()
        try probe.set(key.lowercased(), to: value)
        return try await database.compliance.set(key.lowercased(), to: value, defaults: configuration.compliance, actor: actor,
                                          session: session, time: ComplianceExporter.now()).after
    }

    /// Exports what waits, whether or not compliance is on (events recorded before it was
    /// turned off are exported too).
    public func exportNow() async throws -> ComplianceExporter.Outcome {
        try await exporter.run(try await settings())
    }

    /// Who to journal an administrative change as, when compliance is on (nil when off).
    public func journal(as actor: String = ComplianceEvent.systemActor, session: String = "") async throws -> ComplianceActor? {
        try await settings().enabled ? ComplianceActor(actor: actor, session: session, time: ComplianceExporter.now()) : nil
    }

    /// Walks the chain: a line saying how many events hold, or where it first breaks.
    public func verify() async throws -> (intact: Bool, report: String) {
        let (checked, firstBreak) = try await database.compliance.verify()
        if let firstBreak {
            return (false, "compliance journal broken at \(firstBreak) (\(checked) events before it hold)")
        }
        return (true, "compliance journal intact: \(checked) events")
    }
}
