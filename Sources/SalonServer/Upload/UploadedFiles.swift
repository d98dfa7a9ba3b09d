import Foundation
import SalonSecurity
import _NIOFileSystem

/// Where uploaded bytes live: `<data>/files/<id>` once complete, `<data>/files/partial/` while
/// an upload streams in. A partial file is never served. NIOFileSystem writes a new file
/// unnamed (O_TMPFILE where Linux has it) and names it only when closed, so a crash leaves
/// nothing; whatever an older system left in `partial/` is removed at start.
struct UploadedFiles: Sendable {
    let directory: String

    /// Uploaded bytes are the organisation's records: the server's user alone reads them.
    static let fileMode: FilePermissions = [.ownerRead, .ownerWrite]

    init(dataDirectory: String) {
        directory = dataDirectory + "/files"
    }

    /// Makes the directories and removes partial uploads an earlier run left behind.
    func prepare() throws {
        let manager = FileManager.default
        try? manager.removeItem(atPath: partialDirectory)
        try manager.createDirectory(atPath: partialDirectory, withIntermediateDirectories: true,
                                    attributes: [.posixPermissions: 0o700])
    }

    /// Slot ids are 32 lowercase hex digits; nothing else ever reaches a path.
    static func isSlotID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    static func newSlotID() -> String { Hex.encode(Crypto.randomBytes(16)) }

    func path(_ id: String) -> String {
        precondition(Self.isSlotID(id))
        return "\(directory)/\(id)"
    }

    func partialPath(_ id: String) -> String {
        precondition(Self.isSlotID(id))
        return "\(partialDirectory)/\(id)-\(Hex.encode(Crypto.randomBytes(4)))"
    }

    private var partialDirectory: String { directory + "/partial" }

    /// Moves a finished upload into place (one rename: it appears whole or not at all).
    func publish(_ partial: String, as id: String) async throws {
        try await FileSystem.shared.moveItem(at: FilePath(partial), to: FilePath(path(id)))
    }

    func remove(_ id: String) async {
        _ = try? await FileSystem.shared.removeItem(at: FilePath(path(id)))
    }

    func removePartial(_ partial: String) async {
        _ = try? await FileSystem.shared.removeItem(at: FilePath(partial))
    }
}
