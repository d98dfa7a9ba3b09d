import PersistentChat
import XMPPCore

/// The room's subject (XEP-0045 §7.2.15, §8.1): stored with the room and its author's nick,
/// sent to every joiner last, which ends the join. Who may change it is decided where the
/// change arrives (`MUCRoom+Messages.swift` `changeSubject`).
struct SubjectFeature: RoomFeature {
    func infoFields(_ context: RoomContext) -> [DataForm.Field] {
        [DataForm.Field("muc#roominfo_subject", label: "Subject", values: [context.room.subject])]
    }

    func welcome(_ context: RoomContext, joiner: Joiner) -> [XMLElement] {
        [SubjectMessage.make(context.room.subject, author: context.room.subjectAuthor, room: context.jid, to: joiner.session)]
    }
}
