import Foundation
#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Musl)
import Musl
private let systemWrite = Musl.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// Writes whole files with a given mode via a temporary file and rename, so readers never see half a key.
enum FileWriter {
    /// Directories made on the way are the owner's only: they hold private keys. FileManager
    /// sets this mode exactly, whatever the umask.
    static let directoryMode = 0o700

    static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws(TLSError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: directoryMode])
            } catch {
                throw TLSError(message: "cannot create directory \(directory): \(error)")
            }
        }
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw TLSError(message: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var failure: String?
        // The umask may have narrowed the mode; set it exactly.
        if fchmod(descriptor, mode) != 0 { failure = "cannot set mode" }
        var offset = 0
        while failure == nil && offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                failure = "write failed: \(String(cString: strerror(errno)))"
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = "fsync failed" }
        close(descriptor)
        if failure == nil && rename(temporary, path) != 0 { failure = "rename failed: \(String(cString: strerror(errno)))" }
        if let failure {
            unlink(temporary)
            throw TLSError(message: "cannot write \(path): \(failure)")
        }
    }
}
