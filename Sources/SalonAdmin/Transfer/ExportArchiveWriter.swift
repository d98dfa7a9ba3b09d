import Foundation
import SalonSecurity
import ZIPFoundation

/// Writes one member of an export into the staging directory, counting its bytes and hashing
/// them as they go; buffered, so a member of any size passes through in bounded memory.
final class StagedMember {
    let path: String
    let url: URL
    private let handle: FileHandle
    private let digest = StreamingDigest(.sha256)
    private var buffer: [UInt8] = []
    private(set) var bytes: Int64 = 0
    var records = 0

    init(path: String, in staging: URL) throws {
        self.path = path
        url = staging.appendingPathComponent(path.replacingOccurrences(of: "/", with: "_"))
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw ExportDocumentError(description: "cannot create \(url.path)")
        }
        handle = try FileHandle(forWritingTo: url)
        buffer.reserveCapacity(Self.bufferSize)
    }

    private static let bufferSize = 1 << 16

    func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    func write(_ data: Data) throws {
        buffer.append(contentsOf: data)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    private func flush() throws {
        buffer.withUnsafeBytes { digest.update($0) }
        bytes += Int64(buffer.count)
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file; the member's manifest entry.
    func finish() throws -> ExportManifest.Member {
        try flush()
        try handle.close()
        return ExportManifest.Member(path: path, bytes: bytes, sha256: Hex.encode(digest.finish()), records: records)
    }
}

/// Puts staged members into a ZIP written beside its destination under a temporary name,
/// synced, then renamed: a failed export leaves no half file.
enum ExportArchiveWriter {
    static func write(manifest: URL, members: [(path: String, url: URL, compressed: Bool)], to destination: URL) throws {
        let temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).partial")
        defer { try? FileManager.default.removeItem(at: temporary) }
        try createPrivateArchive(at: temporary)
        try addEntries(manifest: manifest, members: members, to: temporary)
        try sync(temporary)
        guard rename(temporary.path, destination.path) == 0 else {
            throw ExportDocumentError(description: "cannot rename the export to \(destination.path): \(String(cString: strerror(errno)))")
        }
        try? sync(destination.deletingLastPathComponent())
    }

    /// An empty ZIP (its end-of-central-directory record alone) made with mode 0600 before a
    /// byte is in it: the export holds every account's SCRAM keys, and ZIPFoundation's own
    /// `.create` would make the file with the umask's mode, readable by others while it fills.
    private static func createPrivateArchive(at url: URL) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ExportDocumentError(description: "cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        // The umask may have narrowed the mode; set it exactly.
        guard fchmod(descriptor, 0o600) == 0 else {
            throw ExportDocumentError(description: "cannot restrict \(url.path) to its owner")
        }
        try handle.write(contentsOf: [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
        try handle.close()
    }

    /// In a function of its own so the archive is closed (its deinit) before the file is synced.
    private static func addEntries(manifest: URL, members: [(path: String, url: URL, compressed: Bool)], to url: URL) throws {
        let archive = try Archive(url: url, accessMode: .update)
        try archive.addEntry(with: ExportFormat.manifest, fileURL: manifest, compressionMethod: .deflate)
        for member in members {
            try archive.addEntry(with: member.path, fileURL: member.url, compressionMethod: member.compressed ? .deflate : .none)
        }
    }

    private static func sync(_ url: URL) throws {
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { throw ExportDocumentError(description: "cannot open \(url.path) to sync it") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw ExportDocumentError(description: "cannot sync \(url.path)") }
    }
}
