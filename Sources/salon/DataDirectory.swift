import Foundation
import SalonStore

/// Where the database lives, and the rules for touching it from the command line: only
/// `serve` and `init` create a database; `serve` holds the directory for its whole life.
enum DataDirectory {
    /// The absolute path of `directory` as the operator wrote it, for messages.
    static func absolute(_ directory: String) -> String {
        URL(fileURLWithPath: directory, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
            .standardizedFileURL.path
    }

    /// Refuses a command that would create a database where none is: an operator who runs
    /// `salon user add` from the wrong directory must hear where it looked, not get a new,
    /// empty database whose users the server never sees.
    static func requireExistingDatabase(in directory: String) throws {
        let file = (absolute(directory) as NSString).appendingPathComponent(SalonDatabase.fileName)
        guard !FileManager.default.fileExists(atPath: file) else { return }
        throw DataDirectoryError(description: """
            no Salon database at \(file) (data directory "\(directory)", working directory \
            \(FileManager.default.currentDirectoryPath)). Run this where `salon serve` runs, or pass \
            --data-dir (or SALON_PATHS_DATA); `salon init` or `salon serve` creates a new one.
            """)
    }

    /// The lock `serve` holds on its data directory; never released before the process ends.
    nonisolated(unsafe) private static var heldLock: Int32 = -1

    /// Takes the data directory for this process, or says which one is taken: two servers on
    /// one database would each believe it is alone (sessions, caches, the first-start account).
    static func lockForServing(_ directory: String) throws {
        let path = absolute(directory)
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw DataDirectoryError(description: "cannot create the data directory \(path): \(error.localizedDescription)")
        }
        let lockPath = (path as NSString).appendingPathComponent("serve.lock")
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw DataDirectoryError(description: "cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            close(fd)
            if busy {
                throw DataDirectoryError(description: "another salon serve is already running on the data directory \(path)")
            }
            throw DataDirectoryError(description: "cannot lock \(lockPath): \(String(cString: strerror(errno)))")
        }
        heldLock = fd
    }
}

struct DataDirectoryError: Error, CustomStringConvertible {
    let description: String
}
