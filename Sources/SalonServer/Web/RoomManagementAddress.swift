import PersistentChat
import Synchronization

/// RoomManagementUrl as clients are told it: the directory's setting, or these pages' address
/// while the setting is empty (learned when the HTTP server listens).
final class RoomManagementAddress: Sendable {
    private let pages = Mutex<String>("")

    /// The room pages are served under `base` (the server's public URL).
    func listening(at base: String) {
        pages.withLock { $0 = base + "/rooms" }
    }

    func url(_ settings: ServiceSettings) -> String {
        settings.roomManagementURL.isEmpty ? pages.withLock { $0 } : settings.roomManagementURL
    }
}
