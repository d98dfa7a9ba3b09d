import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` on a thread of its own whose umask is `mask`, leaving the process's umask alone.
/// The umask is the whole process's, and other suites create files in parallel in this process;
/// but a Linux thread that stops sharing the process's filesystem attributes (`unshare(CLONE_FS)`)
/// has a umask of its own, which goes away with the thread.
/// (Checks belong after it returns: on that thread there is no test context to record them in.)
func withThreadUmask<T: Sendable>(_ mask: mode_t, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let thread = Thread {
            guard let unshare = ThreadUmask.unshare, unshare(ThreadUmask.cloneFS) == 0 else {
                continuation.resume(throwing: ThreadUmask.Unavailable(errno: errno))
                return
            }
            umask(mask)
            continuation.resume(with: Result { try body() })
        }
        thread.start()
    }
}

enum ThreadUmask {
    struct Unavailable: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { "unshare(CLONE_FS) failed (errno \(errno)): no umask of the thread's own" }
    }

    /// `CLONE_FS` from <sched.h>, which Swift's Glibc module does not export (nor `unshare`).
    static let cloneFS: Int32 = 0x200

    static let unshare: (@convention(c) (Int32) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "unshare") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()

    /// The umask Linux reports in a `status` file of /proc: `self` (the process) or `thread-self`.
    static func reported(by status: String) throws -> mode_t? {
        let text = try String(contentsOfFile: "/proc/\(status)/status", encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Umask:") }) else { return nil }
        return mode_t(line.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8)
    }
}
