import Foundation
import PersistentChat
import SalonAdmin
import SalonClient
@testable import SalonServer
import SalonStore
import Testing
import XMPPCore

/// The XEP-0050 framework and the persistent-chat management commands on the chat service.
@Suite("Ad-hoc administration on the chat service (XEP-0050)")
struct AdHocTests {
    /// root is a chat administrator; alice manages "design" (Closed, bob member); carol is a plain user.
    func setUp(_ server: TestServer) async throws {
        for name in ["root", "alice", "bob", "carol"] { try await server.addUser(name) }
        try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
            try d.addAdministrator("root@salon.test", by: .system)
            try d.createCategory(openCategory(), by: .system)
            _ = try d.createRoom(Room(localpart: "design", name: "Design", category: "Eng", members: [.user("alice@salon.test"), .user("bob@salon.test")],
                                      managers: [.user("alice@salon.test")]), by: .system)
        }
    }

    @Test("Discovery lists only what each requester may run; anything else is forbidden")
    func discovery() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let root = try await server.online("root")
            let alice = try await server.online("alice")
            let carol = try await server.online("carol")
            let all = try await root.commandNodes()
            for node in ["category-create", "category-change", "category-show", "category-list", "category-remove", "room-create", "room-change",
                         "room-show", "room-list", "room-remove", "room-clear", "message-remove", "addin-create", "addin-change", "addin-list",
                         "addin-remove", "config-show", "config-change", "policy-set", "policy-show", "group-create", "group-add", "group-remove",
                         "group-list", "admin-add", "admin-remove", "admin-list", "search"] {
                #expect(all.contains(node), "\(node)")
            }
            #expect(Set(try await alice.commandNodes()) == ["room-change", "room-show", "room-list", "search"])
            #expect(try await carol.commandNodes() == ["search"])
            #expect(try await carol.runCommand("category-create").error == "forbidden")
            #expect(try await alice.runCommand("room-remove").error == "forbidden")
            #expect(try await carol.runCommand("no-such-command").error == "item-not-found")

            let info = try await root.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": chatDomain], children: [
                .element(XMLElement("query", namespace: NS.discoInfo, attributes: ["node": "room-create"])),
            ]))
            let identity = info.child("query", namespace: NS.discoInfo)?.child("identity", namespace: NS.discoInfo)
            #expect(identity?[attribute: "type"] == "command-node")
            // The service itself advertises commands.
            let service = try await carol.query(chatDomain, NS.discoInfo)
            #expect(service.child("query", namespace: NS.discoInfo)?.children("feature", namespace: NS.discoInfo)
                .contains { $0[attribute: "var"] == commandsNS } == true)
        }
    }

    @Test("Sessions: next, prev, cancel; a closed session, an unknown action and another user's session are refused")
    func sessions() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            try await server.addUser("root2")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in try d.addAdministrator("root2@salon.test", by: .system) }
            let root = try await server.online("root")
            let other = try await server.online("root2")
            let first = try await root.commandIQ(chatDomain, XMLElement("command", namespace: commandsNS, attributes: ["node": "category-change"]))
            let command = try #require(first.child("command", namespace: commandsNS))
            let session = try #require(command[attribute: "sessionid"])
            #expect(command[attribute: "status"] == "executing")
            #expect(command.child("actions", namespace: commandsNS)?[attribute: "execute"] == "next")
            let choice = try #require(command.child("x", namespace: DataForm.namespace).flatMap(DataForm.init))
            #expect(choice["category"]?.type == "list-single" && choice["category"]?.options.map(\.value) == ["Eng"])

            func step(_ action: String, _ form: DataForm? = nil, by client: XMPPClient = root) async throws -> XMLElement {
                try await client.commandIQ(chatDomain, XMLElement("command", namespace: commandsNS, attributes: ["node": "category-change", "sessionid": session, "action": action],
                                                                 children: form.map { [.element($0.element)] } ?? []))
            }
            let second = try await step("next", DataForm(type: .submit, fields: [DataForm.Field("category", values: ["Eng"])]))
            let edit = try #require(second.child("command", namespace: commandsNS))
            let actions = try #require(edit.child("actions", namespace: commandsNS))
            #expect(actions[attribute: "execute"] == "complete")
            #expect(actions.child("prev", namespace: commandsNS) != nil && actions.child("complete", namespace: commandsNS) != nil)
            let form = try #require(edit.child("x", namespace: DataForm.namespace).flatMap(DataForm.init))
            #expect(form["name"]?.value == "Eng" && form["allowed"]?.type == "text-multi" && form["chat-history"]?.type == "boolean")
            #expect(form["allowed"]?.values == ["salon.test"])

            #expect(errorCondition(try await step("next", by: other)) == "bad-request")
            let back = try await step("prev")
            #expect(back.child("command", namespace: commandsNS)?.child("x", namespace: DataForm.namespace).flatMap(DataForm.init)?["category"] != nil)
            let bogus = try await step("jump")
            #expect(errorCondition(bogus) == "bad-request")
            #expect(bogus.child("error", namespace: NS.client)?.child("bad-action", namespace: commandsNS) != nil)
            #expect(try await step("cancel").child("command", namespace: commandsNS)?[attribute: "status"] == "canceled")
            let gone = try await step("next")
            #expect(gone.child("error", namespace: NS.client)?.child("bad-sessionid", namespace: commandsNS) != nil)
        }
    }

    @Test("Categories: create, change, show, list, remove — the rules' own messages as error notes")
    func categories() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let root = try await server.online("root")
            let created = try await root.runCommand("category-create", [["name": ["Ops"], "allowed": ["salon.test"], "creators": ["alice@salon.test"],
                                                                         "invitations": ["1"]]])
            #expect(created.succeeded && created.note?.text == "Created category Ops.")
            let ops = try #require(server.server.context!.muc.directory.category(named: "Ops"))
            #expect(ops.creators == [.user("alice@salon.test")] && ops.invitations && ops.chatHistory)

            let duplicate = try await root.runCommand("category-create", [["name": ["ops"]]])
            #expect(duplicate.status == "completed" && duplicate.note?.type == "error")
            let outOfScope = try await root.runCommand("category-create", [["name": ["Far"], "allowed": ["salon.test"], "creators": ["eve@elsewhere.example"]]])
            #expect(outOfScope.note?.type == "error" && outOfScope.note?.text.contains("not in the scope") == true)
            let badPrincipal = try await root.runCommand("category-create", [["name": ["Bad"], "allowed": ["not a principal!"]]])
            #expect(badPrincipal.note?.type == "error")
            let missing = try await root.runCommand("category-create", [["name": [""]]])
            #expect(missing.note?.text == "The name is required.")

            let changed = try await root.runCommand("category-change", [["category": ["Ops"]], ["denied": ["bob@salon.test"], "file-upload": ["1"]]])
            #expect(changed.succeeded)
            let after = try #require(server.server.context!.muc.directory.category(named: "Ops"))
            #expect(after.denied == [.user("bob@salon.test")] && after.fileUpload && after.allowed == [.domain("salon.test")])

            let shown = try await root.runCommand("category-show", [["category": ["Ops"]]])
            #expect(shown.form?.values("denied") == ["bob@salon.test"] && shown.form?.values("file-upload") == ["on"])
            let listed = try await root.runCommand("category-list")
            #expect(listed.rows.map { $0["name"] } == ["Eng", "Ops"] && listed.rows.first?["rooms"] == "1")

            let refused = try await root.runCommand("category-remove", [["category": ["Eng"]]])
            #expect(refused.note?.type == "error")
            #expect(try await root.runCommand("category-remove", [["category": ["Ops"]]]).succeeded)
            #expect(server.server.context!.muc.directory.category(named: "Ops") == nil)
        }
    }

    @Test("Rooms: administrators create and remove; managers change and show their own rooms only")
    func rooms() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let root = try await server.online("root")
            let alice = try await server.online("alice")
            let created = try await root.runCommand("room-create", [["name": ["Town Hall"], "category": ["Eng"], "type": ["auditorium"], "privacy": ["open"],
                                                                     "managers": ["alice@salon.test"], "presenters": ["alice@salon.test"]]])
            #expect(created.succeeded && created.note?.text == "Created room Town Hall (town-hall@\(chatDomain)).")
            let hall = try #require(server.server.context!.muc.directory.rooms["town-hall"])
            #expect(hall.type == .auditorium && hall.privacy == .open && hall.presenters == [.user("alice@salon.test")])

            // alice manages both rooms now: she adds carol to design.
            let changed = try await alice.runCommand("room-change", [["room": ["Design"]],
                                                                     ["members": ["alice@salon.test\nbob@salon.test\ncarol@salon.test"], "description": ["Reviews"]]])
            #expect(changed.succeeded)
            let design = try #require(server.server.context!.muc.directory.rooms["design"])
            #expect(design.members.contains(.user("carol@salon.test")) && design.description == "Reviews")
            let outOfScope = try await alice.runCommand("room-change", [["room": ["Design"]], ["members": ["eve@elsewhere.example"]]])
            #expect(outOfScope.note?.type == "error")

            let shown = try await alice.runCommand("room-show", [["room": ["design"]]])
            #expect(shown.form?.values("members") == ["alice@salon.test, bob@salon.test, carol@salon.test"])
            let listed = try await root.runCommand("room-list", [["type": ["auditorium"]]])
            #expect(listed.rows.map { $0["name"] } == ["Town Hall"])
            let either = try await root.runCommand("room-list", [["privacy": ["open", "closed"]]])
            #expect(either.rows.map { $0["name"] } == ["Design", "Town Hall"])
            // Clients that show no table (Profanity, Poezio) show the rows as lines, and the labels of a report.
            let lines = either.form?.fields.filter { $0.type == "fixed" }.flatMap(\.values) ?? []
            #expect(lines.count == 3 && lines[0].hasPrefix("Name · Address") && lines[2].hasPrefix("Town Hall · town-hall@"))
            #expect(shown.form?.fields.allSatisfy { $0.label?.isEmpty == false && $0.type == "text-single" } == true)
            #expect(try await root.runCommand("room-list", [["privacy": ["hidden"]]]).note?.text == "hidden is not a valid privacy.")
            let managed = try await alice.runCommand("room-list", [[:]])
            #expect(managed.rows.count == 2)
            // What Poezio submits untouched: the first option of every list-single, "(any)".
            let byCategory = try await root.runCommand("room-list", [["category": ["(any)"], "addin": ["(any)"]]])
            #expect(byCategory.rows.count == 2)

            // bob manages nothing: he cannot even see the room commands.
            let bob = try await server.online("bob")
            #expect(try await bob.runCommand("room-change").error == "forbidden")

            let removed = try await root.runCommand("room-remove", [["room": ["Town Hall"]]])
            #expect(removed.succeeded && server.server.context!.muc.directory.rooms["town-hall"] == nil)
            let missing = try await root.runCommand("room-show", [["room": ["Nowhere"]]])
            #expect(missing.note?.text == "There is no room named Nowhere.")
        }
    }

    @Test("Room content: clear up to a date and replace by keywords, reflected in the archive")
    func content() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let root = try await server.online("root")
            let alice = try await server.online("alice")
            try await alice.join("design", as: "Alice")
            for body in ["secret plan", "lunch at noon", "another secret"] {
                alice.say("design", body)
                _ = try await alice.heard(in: "design")
            }
            let replaced = try await root.runCommand("message-remove", [["room": ["Design"], "keywords": ["secret"], "action": ["replace"]]])
            #expect(replaced.note?.text == "Replaced 2 messages in Design.")
            var query = ArchiveQuery(rooms: ["design"])
            query.before = ""
            let bodies = try await server.database.archive.query(query).messages.map(\.body)
            #expect(bodies == [ArchiveAdministration.defaultReplacement, "lunch at noon", ArchiveAdministration.defaultReplacement])

            let badDate = try await root.runCommand("room-clear", [["room": ["Design"], "until": ["yesterday"]]])
            #expect(badDate.note?.type == "error")
            let cleared = try await root.runCommand("room-clear", [["room": ["Design"], "until": [Timestamp.format(Date().addingTimeInterval(60))]]])
            #expect(cleared.note?.text == "Deleted 3 messages from Design.")
            #expect(try await server.database.archive.query(query).messages.isEmpty)
            #expect(try await alice.runCommand("room-clear").error == "forbidden")
        }
    }

    @Test("Add-ins, configuration, policy, groups and administrators")
    func serviceWide() async throws {
        try await withServer { server async throws in
            try await setUp(server)
            let root = try await server.online("root")
            let muc = server.server.context!.muc
            #expect(try await root.runCommand("addin-create", [["name": ["Board"], "url": ["https://board.example/"]]]).succeeded)
            #expect(try await root.runCommand("addin-create", [["name": ["Bad"], "url": ["ftp://x"]]]).note?.type == "error")
            #expect(try await root.runCommand("addin-change", [["addin": ["Board"]], ["url": ["https://board.example/v2"]]]).succeeded)
            #expect(try await root.runCommand("addin-list").rows.map { $0["url"] } == ["https://board.example/v2"])
            #expect(try await root.runCommand("addin-remove", [["addin": ["Board"]]]).succeeded && muc.directory.addIns.isEmpty)

            #expect(try await root.runCommand("config-show").form?.values("DefaultChatHistory") == ["30"])
            #expect(try await root.runCommand("config-change", [["DefaultChatHistory": ["50"], "RoomManagementUrl": ["https://rooms.example/"]]]).succeeded)
            #expect(muc.directory.settings.defaultChatHistory == 50 && muc.directory.settings.roomManagementURL == "https://rooms.example/")
            let outOfRange = try await root.runCommand("config-change", [["DefaultChatHistory": ["0"]]])
            #expect(outOfRange.note?.text == "DefaultChatHistory must be between 1 and 500.")
            #expect(try await root.runCommand("config-change", [["MaxFileSizeKB": ["lots"]]]).note?.text == "lots is not a whole number.")

            #expect(try await root.runCommand("policy-set", [["user": ["carol@salon.test"], "policy": ["off"]]]).succeeded)
            #expect(!muc.directory.isEnabled(user: "carol@salon.test"))
            #expect(try await root.runCommand("policy-show").rows.map { $0["user"] } == ["(everyone)", "carol@salon.test"])
            #expect(try await root.runCommand("policy-set", [["user": ["carol@salon.test"], "policy": ["default"]]]).succeeded)
            #expect(muc.directory.isEnabled(user: "carol@salon.test"))

            #expect(try await root.runCommand("group-create", [["name": ["design-team"], "members": ["alice@salon.test"]]]).succeeded)
            #expect(try await root.runCommand("group-add", [["group": ["design-team"], "members": ["bob@salon.test"]]]).succeeded)
            #expect(muc.directory.groups["design-team"] == ["alice@salon.test", "bob@salon.test"])
            #expect(try await root.runCommand("group-add", [["group": ["design-team"], "members": ["not a jid"]]]).note?.type == "error")
            #expect(try await root.runCommand("group-remove", [["group": ["design-team"], "members": ["bob@salon.test"]]]).succeeded)
            #expect(try await root.runCommand("group-list").rows.first?["members"] == "alice@salon.test")
            #expect(try await root.runCommand("group-remove", [["group": ["design-team"]]]).succeeded && muc.directory.groups.isEmpty)

            #expect(try await root.runCommand("admin-add", [["jid": ["carol@salon.test"]]]).succeeded)
            let escalation = try await root.runCommand("admin-add", [["jid": ["carol@salon.test"], "role": ["server"]]])
            #expect(escalation.note?.text == "Only server administrators may grant or change the server administrator role.")
            #expect(try await root.runCommand("admin-list").rows.map { $0["jid"] } == ["carol@salon.test", "root@salon.test"])
            #expect(try await root.runCommand("admin-remove", [["jid": ["carol@salon.test"]]]).succeeded)
            #expect(!muc.directory.isAdministrator("carol@salon.test"))
        }
    }
}
