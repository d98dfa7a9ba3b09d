import Foundation
import SalonSecurity
import SalonStore
import ZIPFoundation

/// Caps on what an import reads from an archive: every byte of it is untrusted.
public struct ImportLimits: Sendable, Hashable {
    /// manifest.json.
    public var maxManifestBytes: Int64 = 16 << 20
    /// users.xml, principals.json, categories.json, rooms.json (each read whole).
    public var maxDocumentBytes: Int64 = 256 << 20
    /// The JSON Lines members: messages, personal messages, files, compliance (streamed).
    public var maxContentBytes: Int64 = 1 << 40
    /// One uploaded file's bytes.
    public var maxFileBytes: Int64 = 16 << 30
    /// One line of a JSON Lines member.
    public var maxLineBytes = 4 << 20
    /// Members in the archive.
    public var maxEntries = 1_000_000
    /// Uncompressed to compressed size, for members over 1 MiB (zip bombs).
    public var maxCompressionRatio: Int64 = 200

    public init() {}
}

/// Why an archive was refused, named for the operator.
public struct ImportError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A service export opened for import. Opening it checks the member names, sizes and
/// compression ratios against `ImportLimits`; `verify` then reads every member once and
/// compares its size and SHA-256 with the manifest. Reads never trust a header's sizes:
/// each member is cut off at the size the manifest gives.
final class ExportArchiveReader: @unchecked Sendable {  // used by one thread at a time (the CLI, then the store's writer)
    let manifest: ExportManifest
    private let archive: Archive
    private let entries: [String: Entry]
    private let limits: ImportLimits

    init(url: URL, limits: ImportLimits) throws {
        self.limits = limits
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw ImportError("\(url.path) is not a readable ZIP archive (\(error))")
        }
        var entries: [String: Entry] = [:]
        for entry in archive {
            guard entries.count < limits.maxEntries else { throw ImportError("the archive has more than \(limits.maxEntries) members") }
            let path = entry.path
            guard Self.isKnownMember(path) else {
                throw ImportError("the archive has an unexpected member '\(path.prefix(200))' (only the members docs/EXPORT-FORMAT.md lists are read)")
            }
            guard entry.type == .file else { throw ImportError("member \(path) is not a file") }
            guard entries.updateValue(entry, forKey: path) == nil else { throw ImportError("member \(path) appears twice") }
            let cap = Self.cap(for: path, limits)
            guard entry.uncompressedSize <= UInt64(cap) else {
                throw ImportError("member \(path) is \(entry.uncompressedSize) bytes, more than the \(cap) allowed")
            }
            if entry.isCompressed, entry.uncompressedSize > 1 << 20,
               entry.uncompressedSize / max(entry.compressedSize, 1) > UInt64(limits.maxCompressionRatio) {
                throw ImportError("member \(path) expands more than \(limits.maxCompressionRatio) times (a zip bomb?)")
            }
        }
        guard let manifestEntry = entries[ExportFormat.manifest] else { throw ImportError("the archive has no \(ExportFormat.manifest)") }
        var data = Data()
        try Self.extract(archive, manifestEntry, path: ExportFormat.manifest, upTo: limits.maxManifestBytes) { data.append($0) }
        let manifest: ExportManifest
        do {
            manifest = try JSONDecoder().decode(ExportManifest.self, from: data)
        } catch {
            throw ImportError("\(ExportFormat.manifest) is malformed: \(error)")
        }
        guard manifest.format == ExportFormat.name else { throw ImportError("not a Salon service export (format '\(manifest.format.prefix(64))')") }
        guard manifest.version == ExportFormat.version else {
            throw ImportError("export format version \(manifest.version) is not the \(ExportFormat.version) this Salon reads")
        }
        let listed = Set(manifest.members.map(\.path))
        guard listed.count == manifest.members.count else { throw ImportError("\(ExportFormat.manifest) lists a member twice") }
        for path in listed where entries[path] == nil {
            throw ImportError("member \(path.prefix(200)) is in the manifest but missing from the archive")
        }
        for path in entries.keys.sorted() where path != ExportFormat.manifest && !listed.contains(path) {
            throw ImportError("member \(path) is in the archive but not in the manifest")
        }
        self.archive = archive
        self.entries = entries
        self.manifest = manifest
    }

    func contains(_ path: String) -> Bool { manifest.members.contains { $0.path == path } }

    /// Reads every member once: sizes and SHA-256 as the manifest says.
    func verify() throws {
        for member in manifest.members { try read(member.path) { _ in } }
    }

    /// Hands the member's bytes to `consumer` in chunks; throws when they are more than the
    /// manifest says, or (at the end) fewer or with another SHA-256.
    func read(_ path: String, _ consumer: (Data) throws -> Void) throws {
        guard let member = manifest.members.first(where: { $0.path == path }), let entry = entries[path] else {
            throw ImportError("the archive has no member \(path)")
        }
        let digest = StreamingDigest(.sha256)
        var count: Int64 = 0
        try Self.extract(archive, entry, path: path, upTo: min(member.bytes, Self.cap(for: path, limits))) { chunk in
            count += Int64(chunk.count)
            chunk.withUnsafeBytes { digest.update($0) }
            try consumer(chunk)
        }
        guard count == member.bytes else { throw ImportError("member \(path) is \(count) bytes, not the \(member.bytes) the manifest says") }
        guard Hex.encode(digest.finish()) == member.sha256.lowercased() else {
            throw ImportError("member \(path) does not match its SHA-256 in the manifest")
        }
    }

    /// A whole document member (capped by `maxDocumentBytes`).
    func document(_ path: String) throws -> Data {
        var data = Data()
        try read(path) { data.append($0) }
        return data
    }

    /// Each line of a JSON Lines member, without its newline.
    func forEachLine(_ path: String, _ body: (Data, Int) throws -> Void) throws {
        var pending = Data()
        var number = 0
        let maxLine = limits.maxLineBytes
        try read(path) { chunk in
            var rest = chunk[...]
            while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
                pending.append(rest[rest.startIndex..<newline])
                number += 1
                if !pending.isEmpty { try body(pending, number) }
                pending.removeAll(keepingCapacity: true)
                rest = rest[rest.index(after: newline)...]
            }
            pending.append(rest)
            guard pending.count <= maxLine else { throw ImportError("line \(number + 1) of \(path) is longer than \(maxLine) bytes") }
        }
        if !pending.isEmpty { try body(pending, number + 1) }
    }

    /// Extracts `entry`, stopping with an error past `limit` bytes whatever its header says.
    private static func extract(_ archive: Archive, _ entry: Entry, path: String, upTo limit: Int64,
                                _ consumer: (Data) throws -> Void) throws {
        var count: Int64 = 0
        do {
            _ = try archive.extract(entry, skipCRC32: true) { chunk in
                count += Int64(chunk.count)
                guard count <= limit else { throw ImportError("member \(path) is longer than \(limit) bytes") }
                try consumer(chunk)
            }
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError("member \(path) cannot be read: \(error)")
        }
    }

    private static func isKnownMember(_ path: String) -> Bool {
        if path == ExportFormat.manifest || ExportFormat.documents.contains(path) { return true }
        return path.hasPrefix(ExportFormat.fileDirectory) && FileRecord.isSafeID(String(path.dropFirst(ExportFormat.fileDirectory.count)))
    }

    private static func cap(for path: String, _ limits: ImportLimits) -> Int64 {
        switch path {
        case ExportFormat.manifest: limits.maxManifestBytes
        case ExportFormat.messages, ExportFormat.personalMessages, ExportFormat.files, ExportFormat.compliance: limits.maxContentBytes
        case _ where path.hasPrefix(ExportFormat.fileDirectory): limits.maxFileBytes
        default: limits.maxDocumentBytes
        }
    }
}
