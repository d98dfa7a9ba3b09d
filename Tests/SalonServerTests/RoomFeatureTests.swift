import Foundation
import PersistentChat
@testable import SalonServer
import XMPPCore
import Testing

/// Room features without a socket: a `RoomContext` in, the hook's answer out.
@Suite("Room features")
struct RoomFeatureTests {
    static let alice = "alice@salon.test"

    static func directory(history: Bool = true, participantUpdateLimit: Int = 75) -> ChatDirectory {
        ChatDirectory(categories: [
            "eng": Category(name: "Eng", allowed: [.domain("salon.test")], creators: [.user(alice)], invitations: true, chatHistory: history),
        ], settings: ServiceSettings(participantUpdateLimit: participantUpdateLimit))
    }

    static func context(_ room: Room = Room(localpart: "general", name: "General", category: "Eng"),
                        directory: ChatDirectory = directory()) throws -> RoomContext {
        RoomContext(room: room, category: directory.category(named: room.category), directory: directory,
                    jid: try JID("\(room.localpart)@muc.salon.test"))
    }

    static func joiner(history: RoomHistory = RoomHistory(capacity: 10), request: XMLElement? = nil) throws -> Joiner {
        Joiner(session: try JID("\(alice)/phone"), historyRequest: request, history: history)
    }

    static func occupant(id: String = "occ-1") throws -> Occupant {
        Occupant(nick: "Alice", user: alice, sessions: [try JID("\(alice)/phone")], role: .participant, affiliation: .member,
                 occupantID: id, presence: XMLElement("presence", namespace: NS.client))
    }

    static func submitted(_ fields: [DataForm.Field]) -> DataForm {
        DataForm(type: .submit, formType: MUC.roomConfig, fields: fields)
    }

    // MARK: History

    @Test("History on: archived, logged (170), MAM advertised and readable, joiners get recent messages with their time")
    func historyOn() throws {
        let context = try Self.context()
        let feature = HistoryFeature()
        #expect(feature.archivesPosts(context))
        #expect(feature.joinStatuses(context) == [.logged])
        #expect(feature.discoFeatures(context).contains(MAM.ns))
        #expect(throws: Never.self) { try feature.checkArchiveRead(context) }
        var history = RoomHistory(capacity: 10)
        let posted = Date(timeIntervalSince1970: 1_000_000)
        for body in ["one", "two", "three"] {
            let message = XMLElement("message", namespace: NS.client, attributes: ["type": "groupchat", "from": "general@muc.salon.test/Bob"],
                                     children: [.element(.text("body", namespace: NS.client, body))])
            history.append(message, characters: 100, at: posted)
        }
        let sent = feature.welcome(context, joiner: try Self.joiner(history: history, request: XMLElement("history", namespace: MUC.ns, attributes: ["maxstanzas": "2"])))
        #expect(sent.map { $0.child("body", namespace: NS.client)?.text } == ["two", "three"])
        #expect(sent.allSatisfy { $0[attribute: "to"] == "\(Self.alice)/phone" })
        #expect(sent.first?.child("delay", namespace: NS.delay)?[attribute: "from"] == "general@muc.salon.test")
    }

    @Test("History off: not archived, no 170, no MAM, no join history; the archive refuses with the reason")
    func historyOff() throws {
        let context = try Self.context(directory: Self.directory(history: false))
        let feature = HistoryFeature()
        var history = RoomHistory(capacity: 10)
        history.append(XMLElement("message", namespace: NS.client), characters: 10, at: Date())
        #expect(!feature.archivesPosts(context))
        #expect(feature.joinStatuses(context).isEmpty)
        #expect(!feature.discoFeatures(context).contains(MAM.ns))
        let refusal = #expect(throws: ChatRuleError.self) { try feature.checkArchiveRead(context) }
        #expect(refusal.map { StanzaError(refusal: $0).condition } == .notAllowed)
        #expect(refusal?.message == "This room's category keeps no history.")
        #expect(feature.welcome(context, joiner: try Self.joiner(history: history)).isEmpty)
        #expect(feature.infoFields(context).first?.values == ["0"])
    }

    @Test("The archiving question is read only when changed, and the model refuses a room that differs from its category")
    func historyQuestion() throws {
        let directory = Self.directory()
        let room = Room(localpart: "general", name: "General", category: "Eng")
        var edit = RoomEdit()
        try HistoryFeature().read(Self.submitted([.boolean("muc#roomconfig_enablearchiving", "", true)]), shown: room, directory: directory, into: &edit)
        #expect(edit.archived == nil)
        try HistoryFeature().read(Self.submitted([.boolean("muc#roomconfig_enablearchiving", "", false)]), shown: room, directory: directory, into: &edit)
        #expect(edit.archived == false)
        var changed = room
        #expect(throws: ChatRuleError.self) { try edit.apply(to: &changed, in: directory) }
    }

    // MARK: ParticipantUpdateLimit, occupant-id, subject

    @Test("Presence changes are broadcast up to ParticipantUpdateLimit occupants")
    func participantUpdateLimit() throws {
        let context = try Self.context(directory: Self.directory(participantUpdateLimit: 2))
        let feature = ParticipantUpdateLimitFeature()
        #expect(feature.broadcastsPresence(context, occupantCount: 2))
        #expect(!feature.broadcastsPresence(context, occupantCount: 3))
    }

    @Test("A post carries the sender's occupant-id, never the one the client sent")
    func occupantID() throws {
        var post = XMLElement("message", namespace: NS.client, children: [
            .element(XMLElement("occupant-id", namespace: MUC.occupantID, attributes: ["id": "forged"])),
        ])
        OccupantIDFeature().stamp(&post, by: try Self.occupant(id: "real"))
        #expect(post.children("occupant-id", namespace: MUC.occupantID).map { $0[attribute: "id"] } == ["real"])
        #expect(OccupantIDFeature().discoFeatures(try Self.context()) == [MUC.occupantID])
    }

    @Test("A joiner gets the stored subject from the occupant who set it, or from the room")
    func subject() throws {
        var room = Room(localpart: "general", name: "General", category: "Eng", subject: "Plans")
        room.subjectAuthor = "Bob"
        let sent = SubjectFeature().welcome(try Self.context(room), joiner: try Self.joiner())
        #expect(sent.count == 1)
        #expect(sent.first?[attribute: "from"] == "general@muc.salon.test/Bob")
        #expect(sent.first?.child("subject", namespace: NS.client)?.text == "Plans")
        room.subjectAuthor = nil
        #expect(SubjectFeature().welcome(try Self.context(room), joiner: try Self.joiner()).first?[attribute: "from"] == "general@muc.salon.test")
        #expect(SubjectFeature().infoFields(try Self.context(room)).first?.values == ["Plans"])
    }

    @Test("The subject comes after the history in a joiner's welcome (it ends the join)")
    func welcomeOrder() throws {
        let names = roomFeatures.map { String(describing: type(of: $0)) }
        let history = try #require(names.firstIndex(of: "HistoryFeature"))
        let subject = try #require(names.firstIndex(of: "SubjectFeature"))
        #expect(history < subject && subject == names.count - 1)
    }

    // MARK: The owner form as an edit

    @Test("A configuration form sent back whole, unchanged, leaves the room as it was")
    func wholeFormSentBack() throws {
        let directory = Self.directory()
        let room = Room(localpart: "general", name: "General", description: "About", category: "Eng", type: .auditorium,
                        privacy: .secret, invitations: .off, members: [.user(Self.alice)], managers: [.user(Self.alice)],
                        presenters: [.user(Self.alice)])
        let context = try Self.context(room, directory: directory)
        let form = Self.submitted(roomFeatures.flatMap { $0.configFields(context) })
        var edited = room
        try roomEdit(from: form, shown: room, directory: directory).apply(to: &edited, in: directory)
        #expect(edited == room)
    }

    @Test("The form's fields and the ad-hoc/CLI edit give the same room")
    func formAndEditAgree() throws {
        let directory = Self.directory()
        let room = Room(localpart: "general", name: "General", category: "Eng")
        let form = Self.submitted([
            DataForm.Field("muc#roomconfig_roomname", values: ["Renamed"]),
            DataForm.Field("\(MUC.salon)#privacy", values: ["open"]),
            DataForm.Field("muc#roomconfig_moderatedroom", values: ["1"]),
            DataForm.Field("\(MUC.salon)#addin", values: [AddInFeature.none]),
            DataForm.Field("\(MUC.salon)#managers", values: ["\(Self.alice)\ngroup:team"]),
        ])
        var fromForm = room
        try roomEdit(from: form, shown: room, directory: directory).apply(to: &fromForm, in: directory)
        var edit = RoomEdit()
        edit.name = "Renamed"
        edit.privacy = .open
        edit.type = .auditorium
        edit.setAddIn("none")
        edit.managers = PrincipalListEdit(replacement: [.user(Self.alice), try Principal("group:team")])
        var fromEdit = room
        try edit.apply(to: &fromEdit, in: directory)
        #expect(fromForm == fromEdit)
        #expect(fromForm.name == "Renamed" && fromForm.privacy == .open && fromForm.type == .auditorium && fromForm.managers.count == 2)
    }

    @Test("A moderated room is an auditorium, read only when the answer changed")
    func moderatedQuestion() throws {
        let directory = Self.directory()
        let room = Room(localpart: "general", name: "General", category: "Eng")
        var edit = RoomEdit()
        try AuditoriumFeature().read(Self.submitted([.boolean("muc#roomconfig_moderatedroom", "", false)]), shown: room, directory: directory, into: &edit)
        #expect(edit.moderated == nil)
        try AuditoriumFeature().read(Self.submitted([.boolean("muc#roomconfig_moderatedroom", "", true)]), shown: room, directory: directory, into: &edit)
        #expect(edit.moderated == true)
    }
}
