import Foundation
import PersistentChat
import SalonSecurity
import SalonStore

/// `salon import` and the ad-hoc `import`: a Salon service export (ZIP), or XEP-0227 user
/// exports from other servers (one XML file, or a directory of them as Prosody's
/// `prosody-migrator` writes), into this service. The archive is checked whole first (names,
/// sizes, checksums); then the store checks for conflicts and writes in one transaction.
public struct ServiceImporter: Sendable {
    let database: any StoreBackend
    let domain: String
    let dataDirectory: String
    let accounts: AccountService
    let limits: ImportLimits

    public init(database: any StoreBackend, domain: String, dataDirectory: String, iterations: Int = 4096,
                limits: ImportLimits = ImportLimits()) {
        self.database = database
        self.domain = domain
        self.dataDirectory = dataDirectory
        self.accounts = AccountService(database: database, domain: domain, iterations: iterations)
        self.limits = limits
    }

    public func importFile(at path: String, dryRun: Bool) async throws -> ServiceImportReport {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ImportError("no file \(path)") }
        if isDirectory.boolValue { return try await importXEP0227(directory: path, dryRun: dryRun) }
        try Self.requireRegularFile(path)
        if try Self.startsLikeZIP(path) { return try await importArchive(URL(fileURLWithPath: path), dryRun: dryRun) }
        return try await importXEP0227(files: [path], dryRun: dryRun)
    }

    // MARK: - Salon exports

    private func importArchive(_ url: URL, dryRun: Bool) async throws -> ServiceImportReport {
        let archive = try ExportArchiveReader(url: url, limits: limits)
        try archive.verify()
        var input = ServiceImport()
        if archive.contains(ExportFormat.users) {
            input.accounts = try readAccounts(archive.document(ExportFormat.users), from: ExportFormat.users)
        }
        var part = DirectoryPart()
        if archive.contains(ExportFormat.principals) {
            ExportDocuments.read(try decode(PrincipalsDocument.self, archive.document(ExportFormat.principals), ExportFormat.principals), into: &part)
        }
        if archive.contains(ExportFormat.categories) {
            try documentError(ExportFormat.categories) {
                try ExportDocuments.read(try decode(CategoriesDocument.self, archive.document(ExportFormat.categories), ExportFormat.categories), into: &part)
            }
        }
        if archive.contains(ExportFormat.rooms) {
            try documentError(ExportFormat.rooms) {
                try ExportDocuments.read(try decode(RoomsDocument.self, archive.document(ExportFormat.rooms), ExportFormat.rooms), into: &part)
            }
        }
        if !part.isEmpty { input.directory = part }
        if archive.contains(ExportFormat.messages) {
            input.messages = { each in
                try archive.forEachLine(ExportFormat.messages) { line, number in
                    try each(try Self.record(line, number, ExportFormat.messages) { try ExportDocuments.message(try JSONDecoder().decode(MessageDocument.self, from: $0)) })
                }
            }
        }
        if archive.contains(ExportFormat.personalMessages) {
            input.personalMessages = { each in
                try archive.forEachLine(ExportFormat.personalMessages) { line, number in
                    try each(try Self.record(line, number, ExportFormat.personalMessages) {
                        try ExportDocuments.personal(try JSONDecoder().decode(PersonalMessageDocument.self, from: $0))
                    })
                }
            }
        }
        if archive.contains(ExportFormat.files) {
            for line in try Self.fileIDs(archive) where !archive.contains(ExportFormat.fileDirectory + line) {
                throw ImportError("file \(line) is in \(ExportFormat.files) but its bytes are not in the archive")
            }
            input.files = { each in
                try archive.forEachLine(ExportFormat.files) { line, number in
                    try each(try Self.record(line, number, ExportFormat.files) { try ExportDocuments.file(try JSONDecoder().decode(FileDocument.self, from: $0)) })
                }
            }
            let filesDirectory = URL(fileURLWithPath: dataDirectory).appendingPathComponent("files")
            input.placeFile = { file in try Self.place(file, from: archive, in: filesDirectory) }
        }
        if archive.contains(ExportFormat.compliance) {
            input.compliance = { each in
                try archive.forEachLine(ExportFormat.compliance) { line, number in
                    try each(try Self.record(line, number, ExportFormat.compliance) {
                        try JSONDecoder().decode(ComplianceEventDocument.self, from: $0).record
                    })
                }
            }
        }
        return try await run(input, dryRun: dryRun)
    }

    /// The ids in files.jsonl (read once before the import, so a missing member is named first).
    private static func fileIDs(_ archive: ExportArchiveReader) throws -> [String] {
        var ids: [String] = []
        try archive.forEachLine(ExportFormat.files) { line, number in
            ids.append(try record(line, number, ExportFormat.files) { try JSONDecoder().decode(FileDocument.self, from: $0).id })
        }
        return ids
    }

    /// Copies a file's bytes from the archive into `files/` under a temporary name, then renames.
    private static func place(_ file: FileRecord, from archive: ExportArchiveReader, in directory: URL) throws {
        // The server's upload store: its user's alone, as the server makes it.
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let target = directory.appendingPathComponent(file.id)
        let temporary = directory.appendingPathComponent(".\(file.id).import")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw ImportError("cannot write \(temporary.path)")
        }
        defer { try? FileManager.default.removeItem(at: temporary) }
        let handle = try FileHandle(forWritingTo: temporary)
        try archive.read(ExportFormat.fileDirectory + file.id) { try handle.write(contentsOf: $0) }
        try handle.synchronize()
        try handle.close()
        guard rename(temporary.path, target.path) == 0 else { throw ImportError("cannot rename \(temporary.path) to \(target.path)") }
    }

    // MARK: - XEP-0227

    private func importXEP0227(directory: String, dryRun: Bool) async throws -> ServiceImportReport {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".xml") }.sorted()
        guard !names.isEmpty else { throw ImportError("\(directory) holds no .xml files") }
        return try await importXEP0227(files: names.map { directory + "/" + $0 }, dryRun: dryRun)
    }

    private func importXEP0227(files: [String], dryRun: Bool) async throws -> ServiceImportReport {
        var input = ServiceImport()
        for path in files {
            try Self.requireRegularFile(path)
            let size = Int64(try URL(fileURLWithPath: path).resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0)
            guard size <= limits.maxDocumentBytes else { throw ImportError("\(path) is more than \(limits.maxDocumentBytes) bytes") }
            input.accounts += try readAccounts(try Data(contentsOf: URL(fileURLWithPath: path)), from: path)
        }
        return try await run(input, dryRun: dryRun)
    }

    private func readAccounts(_ data: Data, from name: String) throws -> [TransferredAccount] {
        guard let text = String(data: data, encoding: .utf8) else { throw ImportError("\(name) is not UTF-8") }
        do {
            return try XEP0227.accounts(in: text, maxBytes: Int(limits.maxDocumentBytes)) { accounts.credentials(for: $0) }
        } catch let error as ExportDocumentError {
            throw ImportError("\(name): \(error)")
        }
    }

    // MARK: - Running

    /// Accounts of another domain cannot log in here: they are conflicts, found before the store.
    private func run(_ input: ServiceImport, dryRun: Bool) async throws -> ServiceImportReport {
        let foreign = input.accounts.map(\.jid).filter { XEP0227.domain(of: $0) != domain }
        guard foreign.isEmpty else {
            var report = ServiceImportReport()
            report.conflicts = foreign.prefix(100).map { "account \($0) is not in this server's domain \(domain)" }
            if foreign.count > 100 { report.conflicts.append("… and \(foreign.count - 100) more accounts of other domains") }
            return report
        }
        return try await database.transfer.importService(input, dryRun: dryRun)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ data: Data, _ name: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw ImportError("\(name) is malformed: \(error)")
        }
    }

    private func documentError(_ name: String, _ body: () throws -> Void) throws {
        do { try body() } catch let error as ExportDocumentError { throw ImportError("\(name): \(error)") }
    }

    private static func record<T>(_ line: Data, _ number: Int, _ member: String, _ decode: (Data) throws -> T) throws -> T {
        do {
            return try decode(line)
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError("line \(number) of \(member) is malformed: \(error)")
        }
    }

    /// A device or FIFO would read forever: only regular files are imported.
    private static func requireRegularFile(_ path: String) throws {
        guard try URL(fileURLWithPath: path).resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else {
            throw ImportError("\(path) is not a regular file")
        }
    }

    private static func startsLikeZIP(_ path: String) throws -> Bool {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        return try handle.read(upToCount: 4) == Data([0x50, 0x4B, 0x03, 0x04])
    }
}

extension ServiceImportReport {
    /// Lines for the operator: conflicts first, else what was (or would be) done.
    public func lines(dryRun: Bool) -> [String] {
        guard conflicts.isEmpty else {
            return ["import stopped, nothing changed: \(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s")"]
                + conflicts.map { "conflict: \($0)" }
        }
        let verb = dryRun ? "would add" : "added"
        return ["\(verb) \(accountsAdded) accounts (\(accountsPresent) already here), \(rosterItemsAdded) roster items, "
                + "\(messagesAdded) messages (\(messagesPresent) already here), "
                + "\(personalMessagesAdded) personal messages (\(personalMessagesPresent) already here), "
                + "\(filesAdded) files (\(filesPresent) already here), "
                + "\(complianceEventsAdded) compliance events (\(complianceEventsPresent) already here)"]
            + added.map { "\(verb) \($0)" } + kept.map { "kept \($0)" }
            + (dryRun ? ["dry run: nothing changed"] : [])
    }
}
