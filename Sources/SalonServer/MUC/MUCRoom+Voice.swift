import Foundation
import Logging
import PersistentChat
import XMPPCore

/// Voice (XEP-0045 §8.3–8.6) and voice requests (§7.13). PersistentChat decides who may change
/// whose voice; in an Auditorium a change of voice is a change of the presenter list, in a Normal
/// room a mute that lasts while the occupant stays.
extension MUCRoom {
    /// Grants or revokes voice for occupants by nick; `done` gets nil on success.
    func changeVoices(_ requested: [(nick: String, change: VoiceChange)], by actor: String, done: @escaping (StanzaError?) -> Void) {
        guard let (room, context) = current else { return done(StanzaError(.itemNotFound)) }
        var targets: [(nick: String, user: String, change: VoiceChange)] = []
        for (nick, change) in requested {
            guard let occupant = occupants[nick] else {
                return done(StanzaError(.itemNotFound, text: "Nobody in the room is called \(nick)."))
            }
            targets.append((nick, occupant.user, change))
        }
        switch room.type {
        case .normal:
            for target in targets {
                do {
                    try context.directory.checkMayChangeVoice(target.change, of: target.user, in: room, by: actor)
                } catch {
                    logVoice("voice change refused", actor: actor, target: target.user, cause: error.message)
                    return done(StanzaError.refusal(error))
                }
            }
            var changed: [Occupant] = []
            for target in targets {
                guard var occupant = occupants[target.nick] else { continue }
                occupant.muted = target.change == .revoke
                occupant.role = RoomStanding.role(access(target.user), room: room, silenced: occupant.muted)
                occupants[target.nick] = occupant
                changed.append(occupant)
                logVoice(occupant.muted ? "occupant muted" : "voice given back", actor: actor, target: target.user, cause: nil)
            }
            // The mute holds at once; it is announced (and acknowledged) once journaled.
            let compliance = environment.compliance
            guard compliance.isEnabled, !changed.isEmpty else {
                changed.forEach(announce)
                return done(nil)
            }
            let events = voiceEvents(changed, by: actor)
            awaiting({ try await compliance.record(events) }) { [self] result in
                if case .failure(let error) = result {
                    environment.logger.error("compliance event not recorded", metadata: ["room": "\(localpart)", "error": "\(error)"])
                }
                for occupant in changed {
                    if let current = occupants[occupant.nick], current.user == occupant.user { announce(current) }
                }
                done(nil)
            }
        case .auditorium:
            let (host, localpart, targets) = (host, localpart, targets)
            awaiting({
                try await host.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                    for target in targets {
                        _ = try directory.changePresenter(target.change, of: target.user, in: localpart, by: .user(actor))
                    }
                }
            }) { [self] result in
                switch result {
                case .success:
                    for target in targets {
                        logVoice(target.change == .grant ? "presenter added" : "presenter removed", actor: actor, target: target.user, cause: nil)
                    }
                    done(nil)
                case .failure(let error):
                    logVoice("voice change refused", actor: actor, target: targets.map(\.user).joined(separator: " "),
                             cause: (error as? ChatRuleError)?.message ?? "\(error)")
                    done(StanzaError.refusal(error))
                }
            }
        }
    }

    /// A `muc#request` form: an occupant asking for voice, or a manager's answer to such a request.
    func voiceRequest(_ stanza: Stanza, form: DataForm, from: JID) {
        guard let nick = nicks[from], let occupant = occupants[nick] else {
            return bounce(stanza, StanzaError(.notAcceptable, text: "Join the room before asking for voice."))
        }
        if let allow = form.bool("muc#request_allow") {
            guard allow else { return }  // the manager declined: nothing to do
            guard let target = form["muc#roomnick"]?.value else {
                return bounce(stanza, StanzaError(.badRequest, text: "Name the occupant (muc#roomnick)."))
            }
            return changeVoices([(target, .grant)], by: occupant.user) { [self] error in
                if let error { bounce(stanza, error) }
            }
        }
        guard occupant.role == .visitor else {
            return bounce(stanza, StanzaError(.notAcceptable, text: "You already have voice in this room."))
        }
        let managers = occupants.values.filter { access($0.user).canManage }
        guard !managers.isEmpty else {
            return bounce(stanza, StanzaError(.serviceUnavailable, type: .wait, text: "No manager of this room is here to grant voice."))
        }
        let approval = Self.voiceApprovalForm(jid: from, nick: nick)
        for manager in managers {
            for session in manager.sessions {
                send(XMLElement("message", namespace: NS.client, attributes: [
                    "from": jid.description, "to": session.description, "id": UUID().uuidString,
                ], children: [.element(approval.element)]), to: session, from: jid)
            }
        }
        logVoice("voice requested", actor: occupant.user, target: occupant.user, cause: nil)
    }

    /// The §7.13 form managers receive.
    static func voiceApprovalForm(jid: JID, nick: String) -> DataForm {
        DataForm(type: .form, formType: MUC.request, title: "Voice request",
                 instructions: "To grant voice, tick \"Grant voice to this person?\" and submit; to skip this request, cancel.",
                 fields: [
                     DataForm.Field("muc#role", type: "list-single", label: "Requested role", values: ["participant"]),
                     DataForm.Field("muc#jid", type: "jid-single", label: "User ID", values: [jid.description]),
                     DataForm.Field("muc#roomnick", type: "text-single", label: "Room Nickname", values: [nick]),
                     DataForm.Field("muc#request_allow", type: "boolean", label: "Grant voice to this person?", values: ["false"]),
                 ])
    }

    private func logVoice(_ event: String, actor: String, target: String, cause: String?) {
        var metadata: Logger.Metadata = ["actor": "\(actor)", "room": "\(localpart)", "target": "\(target)"]
        if let cause { metadata["cause"] = "\(cause)" }
        environment.logger.notice("\(event)", metadata: metadata)
    }
}
