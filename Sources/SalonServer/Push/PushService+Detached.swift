import XMPPCore

/// Stream management (XEP-0198) keeps a session whose client went away without closing its
/// stream: what arrives for it waits, and, as for what goes to offline storage, the account's
/// devices may be woken for it.
extension PushService {
    /// `bytes` waited for `session`'s detached stream; `element` is the stanza when the stream
    /// kept it (room traffic and held presence are kept as bytes only, read back here, and only
    /// for an account that has registrations). `roomNicks` are the session's nicknames per room,
    /// as its stream learnt them, for mentions.
    func queuedForDetachedSession(_ session: JID, element: XMLElement?, bytes: [UInt8], roomNicks: [String: String]) {
        let owner = session.bare.description
        // Most accounts have no registration: once that is known, nothing more is done.
        if let cached = cache.cached(owner: owner), cached.isEmpty { return }
        Task {
            guard let stanza = element ?? (try? XMLStreamParser.parseStanza(String(decoding: bytes, as: UTF8.self), namespace: NS.client)),
                  stanza.name == "message" else { return }
            let room = stanza[attribute: "from"].map { ClientStateUrgency.split($0).0 }
            await notify(account: session, stanza: stanza, roomNick: room.flatMap { roomNicks[$0] })
        }
    }
}
