import Foundation
import Logging
import SalonStore

/// The periodic sweep (`upload.sweep_interval`, every few minutes by default): takes revoked files and
/// files never posted in a room off the disk, and forgets revoked ones after a week (their
/// URLs answer 410 until then, 404 after).
final class FileSweeper: Sendable {
    private let task: Task<Void, Never>
    static let forgetAfter: TimeInterval = 7 * 86_400

    init(routes: FileRoutes, logger: Logger) {
        let interval = routes.configuration.sweepInterval
        task = Task {
            while !Task.isCancelled {
                await Self.sweep(routes, now: Date(), logger: logger)
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }

    func stop() async {
        task.cancel()
        await task.value
    }

    /// One sweep as of `now` (tests pass a later time).
    @discardableResult
    static func sweep(_ routes: FileRoutes, now: Date, logger: Logger) async -> Int {
        do {
            let deadline = now.addingTimeInterval(-routes.configuration.unpostedLifetime)
            let gone = try await routes.store.sweep(unclaimedBefore: deadline)
            for file in gone { await routes.files.remove(file.id) }
            try await routes.store.deleted(gone.map(\.id))
            let forgotten = try await routes.store.forget(revokedBefore: now.addingTimeInterval(-forgetAfter))
            if !gone.isEmpty || forgotten > 0 {
                logger.notice("files swept", metadata: ["removed": "\(gone.count)", "forgotten": "\(forgotten)"])
            }
            return gone.count
        } catch {
            logger.storageFailure("file sweep failed", error)
            return 0
        }
    }
}
