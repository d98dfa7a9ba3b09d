import Foundation

/// Temporary directories for tests, all under one directory of this test process
/// (`salon-tests-PID` in the temporary directory). Tests cannot clean up reliably (a server or a
/// file may outlive the test's last reference, a crash skips every cleanup), so the first test
/// of a run removes what earlier runs, whose processes are gone, left behind.
public enum ScratchDirectory {
    private static let rootPrefix = "salon-tests-"

    /// This process's root, made (and the dead runs' removed) on first use.
    private static let root: URL = {
        let temporary = FileManager.default.temporaryDirectory
        removeRootsOfEndedRuns(in: temporary)
        let root = temporary.appendingPathComponent("\(rootPrefix)\(getpid())")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }()

    /// A path for a new directory or file (`name` and a UUID), not yet created.
    public static func path(_ name: String, suffix: String = "") -> String {
        root.appendingPathComponent("\(name)-\(UUID().uuidString)\(suffix)").path
    }

    /// A new, empty directory.
    public static func make(_ name: String) throws -> String {
        let directory = path(name)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    private static func removeRootsOfEndedRuns(in temporary: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix(rootPrefix) {
            guard let pid = pid_t(name.dropFirst(rootPrefix.count)), pid != getpid() else { continue }
            // kill(pid, 0) fails with ESRCH once the process is gone.
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
            }
        }
    }
}
