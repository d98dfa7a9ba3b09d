import Foundation
import PersistentChat
import SalonSecurity
import SalonStore

/// `salon export` and the ad-hoc `export`: the service, or some of its parts, into one ZIP of
/// readable documents (docs/EXPORT-FORMAT.md). Everything is read from one database snapshot.
public struct ServiceExporter: Sendable {
    /// What an export wrote.
    public struct Summary: Sendable, Hashable {
        public var path: String
        public var manifest: ExportManifest
        /// Files whose bytes were not on disk, left out (one line each).
        public var skipped: [String]

        /// Records in a member, 0 when it is not in the export.
        public func records(_ member: String) -> Int {
            manifest.members.first { $0.path == member }?.records ?? 0
        }

        /// One line for the operator: what the file holds.
        public var line: String {
            let files = manifest.members.filter { $0.path.hasPrefix(ExportFormat.fileDirectory) }.count
            return "exported \(records(ExportFormat.users)) accounts, \(records(ExportFormat.rooms)) rooms, "
                + "\(records(ExportFormat.messages)) room messages, \(records(ExportFormat.personalMessages)) personal messages, "
                + "\(files) files and \(records(ExportFormat.compliance)) compliance events to \(path)"
        }
    }

    let database: any StoreBackend
    let domain: String
    let dataDirectory: String

    public init(database: any StoreBackend, domain: String, dataDirectory: String) {
        self.database = database
        self.domain = domain
        self.dataDirectory = dataDirectory
    }

    public func export(to path: String, options: ExportOptions, now: Date = Date()) async throws -> Summary {
        let destination = URL(fileURLWithPath: path)
        let staging = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: staging) }

        let parts = ExportLevel.parts(options.levels)
        let categories = Set(options.categories.map { $0.lowercased() })
        let filesDirectory = URL(fileURLWithPath: dataDirectory).appendingPathComponent("files")
        let (members, skipped) = try await database.transfer.export { snapshot in
            try await Self.stage(snapshot, parts: parts, categories: categories, since: options.since,
                           filesDirectory: filesDirectory, in: staging)
        }
        let manifest = ExportManifest(
            format: ExportFormat.name, version: ExportFormat.version, server: domain, created: Timestamps.format(now),
            levels: ExportLevel.allCases.filter { $0 != .all && parts.contains($0) }, categories: options.categories.sorted(),
            since: options.since.map(Timestamps.format), members: members.map(\.member))
        let manifestURL = staging.appendingPathComponent(ExportFormat.manifest)
        try Self.encoder(pretty: true).encode(manifest).write(to: manifestURL)
        try ExportArchiveWriter.write(manifest: manifestURL,
                                      members: members.map { ($0.member.path, $0.url, !$0.member.path.hasPrefix(ExportFormat.fileDirectory)) },
                                      to: destination)
        return Summary(path: path, manifest: manifest, skipped: skipped)
    }

    private struct Staged: Sendable {
        var member: ExportManifest.Member
        var url: URL
    }

    /// Writes the members the parts ask for into `staging`, from the snapshot's source.
    private static func stage(_ snapshot: any ServiceExportSource, parts: Set<ExportLevel>, categories: Set<String>, since: Date?,
                              filesDirectory: URL, in staging: URL) async throws -> ([Staged], [String]) {
        let directory = try await snapshot.directory()
        if let missing = categories.sorted().first(where: { directory.categories[$0] == nil }) {
            throw ExportDocumentError(description: "no category \(missing)")
        }
        let part = DirectoryPart(of: directory, principals: parts.contains(.principals), categories: parts.contains(.categories),
                                 rooms: parts.contains(.rooms), onlyCategories: categories)
        var staged: [Staged] = []
        func add(_ member: StagedMember) throws { staged.append(Staged(member: try member.finish(), url: member.url)) }
        let pretty = encoder(pretty: true)

        if parts.contains(.principals) {
            let users = try StagedMember(path: ExportFormat.users, in: staging)
            try users.write(XEP0227.prologue)
            var host: String?
            try await snapshot.forEachAccount { account in
                let domain = XEP0227.domain(of: account.jid)
                if host != domain {
                    if host != nil { try users.write(XEP0227.hostClosing) }
                    try users.write(XEP0227.hostOpening(domain))
                    host = domain
                }
                try users.write(XEP0227.user(account))
                users.records += 1
            }
            if host != nil { try users.write(XEP0227.hostClosing) }
            try users.write(XEP0227.epilogue)
            try add(users)
            let principals = try StagedMember(path: ExportFormat.principals, in: staging)
            let document = ExportDocuments.principals(of: part)
            try principals.write(try pretty.encode(document))
            principals.records = document.groups.count + document.administrators.count + document.serverAdministrators.count
            try add(principals)
        }
        if parts.contains(.categories) {
            let member = try StagedMember(path: ExportFormat.categories, in: staging)
            let document = ExportDocuments.categories(of: part)
            try member.write(try pretty.encode(document))
            member.records = document.categories.count
            try add(member)
        }
        if parts.contains(.rooms) {
            let member = try StagedMember(path: ExportFormat.rooms, in: staging)
            let document = ExportDocuments.rooms(of: part)
            try member.write(try pretty.encode(document))
            member.records = document.rooms.count
            try add(member)
        }
        var skipped: [String] = []
        if parts.contains(.content) {
            let rooms: Set<String>? = categories.isEmpty
                ? nil : Set(directory.rooms.values.filter { categories.contains($0.category.lowercased()) }.map(\.localpart))
            let line = encoder(pretty: false)
            let messages = try StagedMember(path: ExportFormat.messages, in: staging)
            try await snapshot.forEachRoomMessage(rooms: rooms, since: since) { message in
                try messages.write(try line.encode(ExportDocuments.message(message)))
                try messages.write("\n")
                messages.records += 1
            }
            try add(messages)
            // Accounts' archives belong to no category: a category export leaves them out.
            if categories.isEmpty {
                let personal = try StagedMember(path: ExportFormat.personalMessages, in: staging)
                try await snapshot.forEachPersonalMessage(since: since) { message in
                    try personal.write(try line.encode(ExportDocuments.personal(message)))
                    try personal.write("\n")
                    personal.records += 1
                }
                try add(personal)
            }
            let files = try StagedMember(path: ExportFormat.files, in: staging)
            var bytes: [Staged] = []
            try await snapshot.forEachFile(rooms: rooms, since: since) { file in
                let url = filesDirectory.appendingPathComponent(file.id)
                // Reading a file's bytes blocks: off the cooperative pool, which a serving node shares.
                let path = ExportFormat.fileDirectory + file.id
                guard FileRecord.isSafeID(file.id), let member = try? await SyncBatchBridge.blocking({ try Self.hashedFile(url, path: path) }) else {
                    return skipped.append("file \(file.id) (\(file.name)) has no bytes on disk; left out")
                }
                try files.write(try line.encode(ExportDocuments.file(file)))
                try files.write("\n")
                files.records += 1
                bytes.append(Staged(member: member, url: url))
            }
            try add(files)
            staged += bytes
            // A journal cut by room is no longer a chain: a category export leaves it out.
            if categories.isEmpty {
                let journal = try StagedMember(path: ExportFormat.compliance, in: staging)
                try await snapshot.forEachComplianceEvent(since: since) { record in
                    try journal.write(try line.encode(ComplianceEventDocument(record)))
                    try journal.write("\n")
                    journal.records += 1
                }
                try add(journal)
            }
        }
        return (staged, skipped)
    }

    /// A file's manifest entry, hashed from the disk.
    private static func hashedFile(_ url: URL, path: String) throws -> ExportManifest.Member {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let digest = StreamingDigest(.sha256)
        var bytes: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            chunk.withUnsafeBytes { digest.update($0) }
            bytes += Int64(chunk.count)
        }
        return ExportManifest.Member(path: path, bytes: bytes, sha256: Hex.encode(digest.finish()), records: nil)
    }

    static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
