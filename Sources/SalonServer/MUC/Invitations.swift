import Foundation
import Logging
import PersistentChat
import SalonStore
import XMPPCore

/// XEP-0249 direct invitations (design §8): sent when a user becomes a member of a room whose
/// invitations are on, kept, and sent again at each login until the user has joined once.
struct Invitations {
    /// The chat service's domain, where the rooms are.
    let domain: String
    let database: any StoreBackend
    let sessions: SessionRegistry
    let output: RoomOutput
    let logger: Logger
    let currentDirectory: @Sendable () -> ChatDirectory

    /// Invites everyone who became a member between two directories.
    func membersChanged(from previous: ChatDirectory, to current: ChatDirectory) async {
        // Membership follows the room, its category and the groups: while those last two stay
        // the same, only rooms that changed can have new members.
        let everyRoom = previous.categories != current.categories || previous.groups != current.groups
        let candidates = current.rooms.values.filter { room in
            !room.disabled && (everyRoom || previous.rooms[room.localpart] != room) && current.effectiveInvitations(of: room)
        }
        guard !candidates.isEmpty else { return }
        guard let known = try? await database.accounts.list(domain: nil) else { return }
        for room in candidates {
            let before = previous.rooms[room.localpart].map { previous.memberUsers(of: $0, knownUsers: known) } ?? []
            let added = current.memberUsers(of: room, knownUsers: known).subtracting(before)
            for user in added.sorted() {
                do {
                    guard try await !database.chat.hasJoined(user: user, room: room.localpart) else { continue }
                    try await database.chat.addInvitation(user: user, room: room.localpart)
                    send(room: room, to: user, resources: nil)
                } catch {
                    logger.storageFailure("cannot record an invitation", error)
                }
            }
        }
    }

    /// Sends the user's pending invitations to a session that just came online.
    func sendPending(to session: JID) async {
        let user = session.bare.description
        guard let pending = try? await database.chat.pendingInvitations(user: user) else { return }
        let directory = currentDirectory()
        for localpart in pending {
            guard let room = directory.rooms[localpart], !room.disabled, directory.effectiveInvitations(of: room),
                  directory.access(of: user, to: room).isMember else { continue }
            send(room: room, to: user, resources: [session])
        }
    }

    private func send(room: Room, to user: String, resources: [JID]?) {
        guard let roomJID = try? JID(localpart: room.localpart, domainpart: domain, resourcepart: nil) else { return }
        let roomAddress = roomJID.description
        var reason = "You are a member of \(room.name)"
        if !room.description.isEmpty { reason += ": \(room.description)" }
        let targets = resources ?? (try? JID(user)).map { sessions.resources(of: $0).map(\.session.jid) } ?? []
        for target in targets {
            let invitation = XMLElement("message", namespace: NS.client, attributes: ["from": roomAddress, "to": target.description], children: [
                .element(XMLElement("x", namespace: MUC.directInvitation, attributes: ["jid": roomAddress, "reason": reason])),
                .element(.text("body", namespace: NS.client, "\(reason). Join: xmpp:\(roomAddress)?join")),
            ])
            output.send(invitation, to: target, from: roomJID)
        }
    }
}
