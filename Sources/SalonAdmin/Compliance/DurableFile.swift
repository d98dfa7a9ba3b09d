import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Puts a file in place so that it is either wholly there or not at all, across a crash or a
/// power loss: written under a temporary name, fsynced, renamed, and the directory fsynced.
enum DurableFile {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `beforeRename` runs once the temporary file is durable (the exporter's crash test uses it).
    static func write(_ text: String, to path: String, beforeRename: () -> Void = {}) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).tmp")
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw Failure(description: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw Failure(description: "cannot write \(temporary): \(reason)")
            }
            written += count
        }
        bytes = []
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw Failure(description: "cannot sync \(temporary): \(reason)")
        }
        close(descriptor)
        beforeRename()
        guard rename(temporary, path) == 0 else { throw Failure(description: "cannot rename to \(path): \(String(cString: strerror(errno)))") }
        try syncDirectory(directory)
    }

    /// Makes a rename in `directory` durable.
    static func syncDirectory(_ directory: String) throws {
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(description: "cannot open \(directory): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw Failure(description: "cannot sync \(directory): \(String(cString: strerror(errno)))") }
    }
}
