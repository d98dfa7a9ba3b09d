#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `body` holding an exclusive advisory lock on the file at `path` (created, mode 0600,
/// if needed), so the server and CLI commands never open and migrate a fresh database at once.
func withSetupLock<T>(path: String, _ body: () throws -> T) throws -> T {
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
        throw StoreError(.other, "cannot open lock file \(path): \(String(cString: strerror(errno)))")
    }
    // Closing the descriptor also releases the lock.
    defer { close(fd) }
    var result: Int32
    repeat {
        result = flock(fd, LOCK_EX)
    } while result != 0 && errno == EINTR
    guard result == 0 else {
        throw StoreError(.other, "cannot lock \(path): \(String(cString: strerror(errno)))")
    }
    return try body()
}

/// Creates `path` as an empty file readable by its owner only, unless it exists: the database
/// holds SCRAM keys, and SQLite gives the -wal and -shm files the database file's mode.
func createPrivateFileIfMissing(_ path: String) throws {
    let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    if fd >= 0 {
        close(fd)
    } else if errno != EEXIST {
        throw StoreError(.other, "cannot create \(path): \(String(cString: strerror(errno)))")
    }
}
