import Foundation
import PersistentChat
import SalonStore

/// What the adapters need besides the events.
struct ComplianceExportContext {
    let settings: ComplianceSettings
    let serverDomain: String
    let chatDomain: String
    /// The chat directory, for room names and details.
    let directory: ChatDirectory?
}

/// The exporter (design §6): writes the events not yet exported to the output directory and
/// marks them exported only once their files are durably in place. Each export covers a range
/// of events fixed before any file is written (`ComplianceStore.beginExport`), and its files'
/// names come from that export's number: a run that dies between writing and marking is
/// finished by the next, which writes the same files again under the same names — never lost,
/// never duplicated. Shared by the server's periodic run, `salon compliance export --now` and
/// the ad-hoc command.
public struct ComplianceExporter: Sendable {
    public struct Outcome: Sendable {
        /// The files written, as paths.
        public var files: [String] = []
        /// How many events they hold.
        public var events = 0
    }

    /// The most events one export (one set of files) holds; a run exports as many as wait.
    public static let eventsPerExport = 10_000

    /// The variable naming a test's fault point, where the exporter kills itself with SIGKILL:
    /// `after-begin` (the export's range stored, no file written), `before-rename` (a file
    /// written and fsynced under its temporary name), `after-rename` (the files in place, the
    /// events not yet marked). Used only by the exporter's crash test.
    public static let faultVariable = "SALON_COMPLIANCE_FAULT"

    private static func fault(_ point: String) {
        if ProcessInfo.processInfo.environment[faultVariable] == point { kill(getpid(), SIGKILL) }
    }

    let database: any StoreBackend
    let serverDomain: String
    let chatDomain: String
    let dataDirectory: String

    public init(database: any StoreBackend, serverDomain: String, chatDomain: String, dataDirectory: String) {
        self.database = database
        self.serverDomain = serverDomain
        self.chatDomain = chatDomain
        self.dataDirectory = dataDirectory
    }

    /// The output directory: relative paths are under the data directory.
    public func outputDirectory(_ settings: ComplianceSettings) -> String {
        settings.outputDirectory.hasPrefix("/") ? settings.outputDirectory
            : (dataDirectory as NSString).appendingPathComponent(settings.outputDirectory)
    }

    /// Exports everything pending, finishing first an export a crash interrupted.
    /// With `onlyInterrupted`, only an export a crash interrupted is finished.
    public func run(_ settings: ComplianceSettings, onlyInterrupted: Bool = false) async throws -> Outcome {
        let store = database.compliance
        var outcome = Outcome()
        var next = try await store.unfinishedExport()
        if next == nil, !onlyInterrupted { next = try await store.beginExport(limit: Self.eventsPerExport, time: Self.now()) }
        guard next != nil else { return outcome }
        let directory = outputDirectory(settings)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o750])
        let context = ComplianceExportContext(settings: settings, serverDomain: serverDomain, chatDomain: chatDomain,
                                              directory: try? await database.chat.loadDirectory())
        while let intent = next {
            Self.fault("after-begin")
            let events = try await store.events(intent.range).filter { $0.exportedAt == nil }
            let files = try write(events, export: intent.id, to: directory, context: context)
            Self.fault("after-rename")
            try await store.finishExport(intent, files: files.map { ($0 as NSString).lastPathComponent }, time: Self.now())
            outcome.files += files
            outcome.events += events.count
            next = onlyInterrupted ? nil : try await store.beginExport(limit: Self.eventsPerExport, time: Self.now())
        }
        return outcome
    }

    /// Writes one export's files: one, or one per room; returns their paths.
    private func write(_ events: [ComplianceRecord], export id: Int64, to directory: String,
                       context: ComplianceExportContext) throws -> [String] {
        guard !events.isEmpty else { return [] }
        let settings = context.settings
        let base = "salon-compliance-" + String(format: "%08lld", id)
        var groups: [(String, [ComplianceRecord])]
        if settings.oneChatRoomPerOutputFile {
            var order: [String] = []
            var byRoom: [String: [ComplianceRecord]] = [:]
            for event in events {
                if byRoom[event.room] == nil { order.append(event.room) }
                byRoom[event.room, default: []].append(event)
            }
            groups = order.map { ($0.isEmpty ? "\(base)-service" : "\(base)-room-\($0)", byRoom[$0] ?? []) }
        } else {
            groups = [(base, events)]
        }
        var paths: [String] = []
        for (name, group) in groups {
            let text: String
            let path: String
            switch settings.adapter {
            case .xml:
                text = ComplianceXMLAdapter(context: context).document(group)
                path = (directory as NSString).appendingPathComponent(name + ".xml")
            case .jsonl:
                text = ComplianceJSONLinesAdapter(context: context).document(group)
                path = (directory as NSString).appendingPathComponent(name + ".jsonl")
            }
            try DurableFile.write(text, to: path) { Self.fault("before-rename") }
            paths.append(path)
        }
        return paths
    }

    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
