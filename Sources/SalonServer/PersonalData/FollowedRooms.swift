import Logging
import PersistentChat
import XMPPCore

/// Followed rooms follow access (issue #14): when a directory change takes away a user's right
/// to join one of this service's rooms (room deleted or disabled, scope shrunk, removed from
/// the members, banned, persistent chat turned off), the room's XEP-0402 bookmark is retracted
/// — the user's resources get the retraction, `BookmarkSync` rewrites the XEP-0048 copies — so
/// no client keeps rejoining it. Done at the change for online and offline users alike, in
/// order, off the rooms' loops: only accounts holding a bookmark of an affected room are read.
/// Bookmarks of other services' rooms are never touched.
final class FollowedRooms: Sendable {
    private enum Work {
        case change(previous: ChatDirectory, current: ChatDirectory)
        case barrier(CheckedContinuation<Void, Never>)
    }

    private let queue: AsyncStream<Work>.Continuation
    private let worker: Task<Void, Never>

    init(pep: PEPService, mucDomain: String, logger: Logger) {
        let (stream, queue) = AsyncStream.makeStream(of: Work.self)
        self.queue = queue
        worker = Task {
            for await work in stream {
                switch work {
                case let .change(previous, current):
                    await Self.prune(pep: pep, mucDomain: mucDomain, logger: logger, from: previous, to: current)
                case let .barrier(done):
                    done.resume()
                }
            }
        }
    }

    /// Called for every adopted directory; returns at once (the comparing is the worker's).
    func directoryChanged(from previous: ChatDirectory, to current: ChatDirectory) {
        queue.yield(.change(previous: previous, current: current))
    }

    /// Returns once every change handed over before has been applied.
    func settled() async {
        await withCheckedContinuation { done in
            if case .terminated = queue.yield(.barrier(done)) { done.resume() }
        }
    }

    /// Applies what is queued, then stops.
    func stop() async {
        queue.finish()
        await worker.value
    }

    private static func prune(pep: PEPService, mucDomain: String, logger: Logger,
                              from previous: ChatDirectory, to current: ChatDirectory) async {
        let rooms = current.roomsWithNarrowableAccess(since: previous)
        guard !rooms.isEmpty else { return }
        var localparts: [String: String] = [:]
        for room in rooms { localparts["\(room)@\(mucDomain)".lowercased()] = room }
        let holders: [(owner: String, itemID: String)]
        do {
            holders = try await pep.database.pep.holders(ofItems: Set(localparts.keys), in: PersonalStorage.bookmarks)
        } catch {
            logger.error("bookmark pruning failed", metadata: ["error": "\(error)"])
            return
        }
        var lost: [String: [String]] = [:]
        for holder in holders {
            guard let room = localparts[holder.itemID.lowercased()],
                  current.hasLostAccess(holder.owner, to: room, since: previous) else { continue }
            lost[holder.owner, default: []].append(holder.itemID)
        }
        for (owner, itemIDs) in lost.sorted(by: { $0.key < $1.key }) {
            guard let account = try? JID(owner) else { continue }
            do throws(StanzaError) {
                try await pep.retract(owner: account, node: PersonalStorage.bookmarks, itemIDs: itemIDs, notify: true)
            } catch {
                logger.notice("bookmark pruning failed", metadata: ["account": "\(owner)", "cause": "\(error.text ?? "\(error.condition)")"])
                continue
            }
            await pep.bookmarks.modernChanged(owner: account)
            logger.info("bookmarks removed: access lost", metadata: ["account": "\(owner)", "rooms": "\(itemIDs.sorted().joined(separator: " "))"])
        }
    }
}
