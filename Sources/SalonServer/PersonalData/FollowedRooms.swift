import Logging
import PersistentChat
import Synchronization
import XMPPCore

/// Followed rooms follow access (issue #14): when a directory change takes away a user's right
/// to join one of this service's rooms (room deleted or disabled, scope shrunk, removed from
/// the members, banned, persistent chat turned off), the room's XEP-0402 bookmark is retracted
/// — the user's resources get the retraction, `BookmarkSync` rewrites the XEP-0048 copies — so
/// no client keeps rejoining it. Done at the change for online and offline users alike, in
/// order, off the rooms' loops: only accounts holding a bookmark of an affected room are read.
/// What changed while the server was not running is caught when the user logs in. Accepting a
/// persistent-chat invitation (the first join of a room the user was invited to) bookmarks the
/// room with autojoin, unless the user already has a bookmark for it. Bookmarks of other
/// services' rooms are never touched.
final class FollowedRooms: Sendable {
    private enum Work {
        case change(previous: ChatDirectory, current: ChatDirectory)
        case login(JID)
        case accepted(user: JID, room: JID, name: String, nick: String)
        case barrier(CheckedContinuation<Void, Never>)
    }

    private let queue: AsyncStream<Work>.Continuation
    private let worker: Task<Void, Never>
    /// Accounts with a login check queued: a client reconnecting in a loop queues one check,
    /// not one per login, so the queue stays bounded by the number of accounts.
    private let pendingLogins: PendingAccounts

    /// `directory` gives the directory as saved now, other processes' changes included.
    init(pep: PEPService, mucDomain: String, directory: @escaping @Sendable () async -> ChatDirectory, logger: Logger) {
        let (stream, queue) = AsyncStream.makeStream(of: Work.self)
        self.queue = queue
        let pruning = Pruning(pep: pep, mucDomain: mucDomain, logger: logger)
        let pendingLogins = PendingAccounts()
        self.pendingLogins = pendingLogins
        worker = Task {
            for await work in stream {
                switch work {
                case let .change(previous, current):
                    await pruning.prune(from: previous, to: current)
                case let .login(user):
                    pendingLogins.remove(user)
                    await pruning.pruneAtLogin(user, directory: directory)
                case let .accepted(user, room, name, nick):
                    await pruning.follow(room, name: name, nick: nick, for: user)
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

    /// A resource of `user` came online: bookmarks of rooms lost meanwhile go.
    func loggedIn(_ user: JID) {
        let account = user.bare
        guard pendingLogins.insert(account) else { return }
        queue.yield(.login(account))
    }

    /// `user` joined `room` for the first time since being invited to it, as `nick`.
    func invitationAccepted(by user: JID, room: JID, name: String, nick: String) {
        queue.yield(.accepted(user: user.bare, room: room, name: name, nick: nick))
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
}

/// The accounts whose login check waits in the queue.
private final class PendingAccounts: Sendable {
    private let accounts = Mutex<Set<JID>>([])

    /// False when `account` was queued already.
    func insert(_ account: JID) -> Bool { accounts.withLock { $0.insert(account).inserted } }

    func remove(_ account: JID) { _ = accounts.withLock { $0.remove(account) } }
}

/// The worker's part of `FollowedRooms`: what it reads and writes.
private struct Pruning: Sendable {
    let pep: PEPService
    let mucDomain: String
    let logger: Logger

    func prune(from previous: ChatDirectory, to current: ChatDirectory) async {
        let rooms = current.roomsWithNarrowableAccess(since: previous)
        guard !rooms.isEmpty else { return }
        var localparts: [String: String] = [:]
        for room in rooms { localparts["\(room)@\(mucDomain)".lowercased()] = room }
        let holders: [(owner: String, itemID: String)]
        do {
            holders = try await pep.database.pep.holders(ofItems: Set(localparts.keys), in: PersonalStorage.bookmarks)
        } catch {
            logger.storageFailure("bookmark pruning failed", error)
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
            await remove(itemIDs, of: account)
        }
    }

    /// The user's bookmarks of this service's rooms that `hasLostAccess(_:to:joinedBefore:)` says are lost.
    /// The directory is read after the bookmarks, and fresh: a room the CLI created a moment
    /// ago, bookmarked before this check ran, is not taken for a deleted one.
    func pruneAtLogin(_ user: JID, directory currentDirectory: @Sendable () async -> ChatDirectory) async {
        let owner = user.description
        do {
            let items = try await pep.database.pep.items(owner: owner, node: PersonalStorage.bookmarks)
            let rooms = items.compactMap { item -> (id: String, localpart: String)? in
                guard let jid = try? JID(item.id), jid.resourcepart == nil, jid.domainpart.lowercased() == mucDomain.lowercased(),
                      let localpart = jid.localpart else { return nil }
                return (item.id, localpart.lowercased())
            }
            guard !rooms.isEmpty else { return }
            let joined = try await pep.database.chat.joinedRooms(user: owner)
            let directory = await currentDirectory()
            let lost = rooms.filter { directory.hasLostAccess(owner, to: $0.localpart, joinedBefore: joined.contains($0.localpart)) }
            if !lost.isEmpty { await remove(lost.map(\.id), of: user) }
        } catch {
            logger.storageFailure("bookmark pruning failed", error, metadata: ["account": "\(owner)"])
        }
    }

    /// One retraction (notified to the user's resources), then the XEP-0048 copies rewritten.
    private func remove(_ itemIDs: [String], of owner: JID) async {
        do throws(StanzaError) {
            try await pep.retract(owner: owner, node: PersonalStorage.bookmarks, itemIDs: itemIDs, notify: true)
        } catch {
            logger.notice("bookmark pruning failed", metadata: ["account": "\(owner)", "cause": "\(error.text ?? "\(error.condition)")"])
            return
        }
        await pep.bookmarks.modernChanged(owner: owner)
        logger.info("bookmarks removed: access lost", metadata: ["account": "\(owner)", "rooms": "\(itemIDs.sorted().joined(separator: " "))"])
    }

    /// Bookmarks `room` with autojoin unless the user has a bookmark for it already.
    func follow(_ room: JID, name: String, nick: String, for user: JID) async {
        let address = room.description
        do {
            let items = try await pep.database.pep.items(owner: user.description, node: PersonalStorage.bookmarks)
            guard !items.contains(where: { $0.id.lowercased() == address.lowercased() }) else { return }
        } catch {
            logger.storageFailure("bookmark on invitation failed", error, metadata: ["account": "\(user)"])
            return
        }
        let bookmark = BookmarkSync.Bookmark(jid: address, name: name, autojoin: true, nick: nick, password: nil)
        guard await pep.bookmarks.add(bookmark, owner: user) else { return }
        logger.info("bookmark added: invitation accepted", metadata: ["account": "\(user)", "room": "\(address)"])
    }
}
