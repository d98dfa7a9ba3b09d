import Foundation
import PersistentChat
import SalonStore
import XMPPCore

/// Groupchat messages, subject changes and private messages
/// (XEP-0045 §7.4–7.5, §8.1), with XEP-0359 stanza-ids and XEP-0421 occupant-ids.
extension MUCRoom {
    func message(_ stanza: Stanza, from: JID) {
        if let invite = stanza.element.child("x", namespace: MUC.user)?.child("invite", namespace: MUC.user) {
            return mediatedInvitation(stanza, invite: invite, from: from)
        }
        if stanza.type != "error", let form = stanza.element.child("x", namespace: DataForm.namespace).flatMap(DataForm.init),
           form.formType == MUC.request {
            return voiceRequest(stanza, form: form, from: from)
        }
        guard stanza.type == "groupchat" else {
            if stanza.type != "error" { bounce(stanza, StanzaError(.badRequest, text: "Messages to a room are of type groupchat.")) }
            return
        }
        if creator != nil, current == nil, nicks[from] != nil {
            return bounce(stanza, StanzaError(.notAllowed, text: Self.lockedText))
        }
        guard let nick = nicks[from], let occupant = occupants[nick], let (_, context) = current else {
            return bounce(stanza, StanzaError(.notAcceptable, text: "Join the room before posting."))
        }
        let access = access(occupant.user)
        let body = stanza.element.child("body", namespace: NS.client)
        let subject = stanza.element.child("subject", namespace: NS.client)
        if let subject, body == nil {
            return changeSubject(stanza, to: subject.text, by: nick, access: access)
        }
        guard body != nil else { return }
        // The occupant's role says whether a manager muted them for their stay.
        guard allows(stanza, { try access.checkMayPost(in: context.room, silenced: occupant.role == .visitor) }) else { return }
        // Files follow the category (design §2), whoever posts them.
        let files = environment.uploadLinks.fileIDs(in: stanza.element)
        if !files.isEmpty {
            guard let category = context.category, allows(stanza, { try ChatDirectory.checkAllowsFiles(in: category) }) else {
                if context.category == nil { bounce(stanza, StanzaError(.notAllowed, text: "This room accepts no files.")) }
                return
            }
        }
        post(stanza, nick: nick, occupant: occupant, files: files, from: from)
    }

    /// Stamps, archives (when the room's features archive posts) and then broadcasts one message: a
    /// message anyone received is in the archive. The room goes on with the next stanza while
    /// the archive commits (group commit gathers the posts of every room); broadcasts follow
    /// the posting order.
    private func post(_ stanza: Stanza, nick: String, occupant: Occupant, files: [String], from: JID) {
        guard unconfirmedPosts.count < Self.maxBacklog else {
            return bounce(stanza, StanzaError(.resourceConstraint, type: .wait, text: "The room is busy."))
        }
        // Time-ordered ids keep the archive's id index append-only (cheaper group commits).
        let stanzaID = StoredMessage.newStanzaID()
        var message = stanza.element
        message[attribute: "from"] = occupantJID(nick).description
        message[attribute: "to"] = nil
        // Clients must not forge these (XEP-0359 §3.1).
        message.removeChildren("stanza-id", namespace: MUC.stanzaID)
        message.removeChildren("delay", namespace: NS.delay)
        message.append(XMLElement("stanza-id", namespace: MUC.stanzaID, attributes: ["id": stanzaID, "by": jid.description]))
        for feature in roomFeatures { feature.stamp(&message, by: occupant) }
        let timestamp = Date()
        // Serialised once: the archive stores these bytes, every occupant gets them with its `to`.
        let serialized = SplicedStanza(message, parentNamespace: NS.client)
        let post = UnconfirmedPost(stanza: stanza, message: message, serialized: serialized, timestamp: timestamp,
                                   ordinal: nextPostOrdinal)
        nextPostOrdinal &+= 1
        unconfirmedPosts.append(post)
        if !files.isEmpty {
            environment.logger.notice("files posted", metadata: [
                "account": "\(occupant.user)", "room": "\(localpart)", "files": "\(files.joined(separator: ","))",
            ])
        }
        let compliance = environment.compliance
        // Only when compliance is on: nothing is made or asked per post otherwise.
        let event: ComplianceEvent? = compliance.isEnabled
            ? .chat(time: ComplianceRecorder.milliseconds(timestamp), user: occupant.user, session: from.description, room: localpart,
                    stanza: serialized.textWithoutRecipient)
            : nil
        guard archivesPosts else {
            environment.uploadLinks.claim(files, room: localpart, stanzaID: stanzaID)
            guard let event else {
                post.outcome = .success(false)
                return releaseConfirmedPosts()
            }
            // Not archived, but journaled before anyone sees it.
            let promise = loop.makePromise(of: Void.self)
            compliance.record([event]) { promise.completeWith($0) }
            promise.futureResult.assumeIsolated().whenComplete { [self] result in
                post.outcome = result.map { _ in false }
                releaseConfirmedPosts()
            }
            return
        }
        var stored = StoredMessage(room: localpart, stanzaID: stanzaID, senderJID: occupant.user, nick: nick,
                                   occupantID: occupant.occupantID, timestamp: timestamp,
                                   body: message.child("body", namespace: NS.client)?.text ?? "",
                                   subject: message.child("subject", namespace: NS.client)?.text,
                                   stanza: event?.payload ?? serialized.textWithoutRecipient)
        stored.files = files
        stored.compliance = event
        stored.lease = lease
        // Queued now, so the archive keeps the order occupants will see; the commit comes back
        // through `confirmations`, with the rest of its batch.
        environment.archiveWriter.append(stored, token: post.ordinal, sink: confirmations)
    }

    /// The outcomes of one or more group commits, on the loop: each post learns its own, then
    /// every post now confirmed is broadcast, in order.
    func applyConfirmations(_ results: [PostConfirmations.Result]) {
        for (ordinal, outcome) in results {
            // Posts wait in ordinal order, one ordinal after the other, so the offset finds it.
            guard let first = unconfirmedPosts.first, ordinal >= first.ordinal, ordinal - first.ordinal < UInt64(unconfirmedPosts.count) else {
                continue
            }
            let post = unconfirmedPosts[unconfirmedPosts.index(unconfirmedPosts.startIndex, offsetBy: Int(ordinal - first.ordinal))]
            post.outcome = outcome.map { _ in true }
        }
        releaseConfirmedPosts()
    }

    /// Broadcasts (or refuses) the oldest posts whose commit is known, in order.
    private func releaseConfirmedPosts() {
        while let post = unconfirmedPosts.first, let outcome = post.outcome {
            unconfirmedPosts.removeFirst()
            switch outcome {
            case .success(let archived):
                if archived {
                    history.append(post.message, characters: RoomHistory.characters(in: post.serialized), at: post.timestamp)
                }
                environment.output.fanout.deliver(post.message, serialized: post.serialized, to: audience)
                environment.metrics.groupchatMessages.increment()
            case .failure(let error):
                if (error as? StoreError)?.kind == .leaseLost { lostLease() }
                environment.logger.storageFailure("cannot archive a message", error, metadata: ["account": "\((try? post.stanza.from)??.bare.description ?? "?")", "room": "\(localpart)"])
                bounce(post.stanza, .storage(error, text: "The message could not be stored."))
            }
        }
        drainBacklog()
    }

    private func changeSubject(_ stanza: Stanza, to subject: String, by nick: String, access: RoomAccess) {
        guard allows(stanza, { try access.checkMayChangeSubject() }) else { return }
        let localpart = localpart
        let actor = ChatActor.user(occupants[nick]?.user ?? "")
        let host = host
        awaiting({
            try await host.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                _ = try directory.updateRoom(localpart, by: actor) { room in
                    room.subject = subject
                    room.subjectAuthor = nick
                }
            }
        }) { [self] result in
            guard case .success = result else {
                return bounce(stanza, StanzaError(.internalServerError, text: "The subject could not be saved."))
            }
            broadcast(from: occupantJID(nick)) { SubjectMessage.make(subject, author: nick, room: jid, to: $0) }
        }
    }

    /// A private message between occupants, relayed to the recipient's real sessions.
    func privateMessage(_ stanza: Stanza, to nick: String, from: JID) {
        guard stanza.type != "error" else { return }
        guard let senderNick = nicks[from], let context = current?.context else {
            return bounce(stanza, StanzaError(.notAcceptable, text: "Join the room before sending private messages."))
        }
        guard allows(stanza, { try context.room.checkAllowsPrivateMessages() }) else { return }
        guard stanza.type != "groupchat" else { return bounce(stanza, StanzaError(.badRequest)) }
        guard let recipient = occupants[nick] else {
            return bounce(stanza, StanzaError(.itemNotFound, text: "Nobody in the room has that nickname."))
        }
        // XEP-0191 §3.3 by real JIDs: to a sender the recipient blocked, the recipient is not
        // there; a sender who blocked the recipient is told so.
        if let session = recipient.sessions.first {
            let router = environment.output.router
            if router.blocksRelayed(from: from, to: session) == true { return bounce(stanza, StanzaError(.serviceUnavailable)) }
            if router.blocksRelayed(from: session, to: from) == true { return bounce(stanza, Blocklist.blockedError) }
        }
        let sameNick = occupants[senderNick]?.sessions ?? []
        environment.output.router.carbons.sentToOccupant(stanza.element, to: occupantJID(nick), by: from, joinedAs: sameNick)
        var message = stanza.element
        message.removeStanzaIDs(claimingToBeBy: jid)
        let sender = occupantJID(senderNick)
        message[attribute: "from"] = sender.description
        message.append(XMLElement("x", namespace: MUC.user))
        // Archived once for the recipient's account (XEP-0313), then delivered to each of its
        // sessions from the archive's thread; what the room does next waits, so nothing it sends
        // overtakes the message, and what it broadcast before leaves for other loops first.
        LoopCrossings.sendGathered()
        if let delivery = environment.output.router.routePrivateMessage(message, to: Array(recipient.sessions), from: sender) {
            awaiting({ await delivery() }, then: { _ in })
        }
    }
}

/// A message waiting for its archive commit (room-loop state only).
final class UnconfirmedPost {
    let stanza: Stanza
    let message: XMLElement
    let serialized: SplicedStanza
    let timestamp: Date
    /// The room's count of posts before this one: posts wait in this order, without gaps.
    let ordinal: UInt64
    /// Known once committed: archived (true) or not kept (false), or the storage failure.
    var outcome: Result<Bool, any Error>?

    init(stanza: Stanza, message: XMLElement, serialized: SplicedStanza, timestamp: Date, ordinal: UInt64) {
        self.ordinal = ordinal
        self.stanza = stanza
        self.message = message
        self.serialized = serialized
        self.timestamp = timestamp
    }
}

extension SplicedStanza {
    /// The stanza as text without its `to` (what the archive and the journal keep), made
    /// straight from the two parts without joining them first.
    var textWithoutRecipient: String {
        String(unsafeUninitializedCapacity: head.count + tail.count) { buffer in
            let afterHead = buffer.initialize(fromContentsOf: head)
            let afterTail = buffer[afterHead...].initialize(fromContentsOf: tail)
            return afterTail
        }
    }
}
