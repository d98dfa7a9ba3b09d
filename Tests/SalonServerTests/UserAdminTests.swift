import Foundation
import PersistentChat
import SalonClient
@testable import SalonServer
import Testing
import XMPPCore

/// XEP-0133 on the server domain: server administrators only.
@Suite("Service administration (XEP-0133)")
struct UserAdminTests {
    let admin = "http://jabber.org/protocol/admin"
    let domain = TestServer.domain

    @Test("Server administrators add, list, count, re-password, end and delete users, and announce")
    func userAdministration() async throws {
        try await withServer { server async throws in
            for name in ["root", "chatadmin", "alice"] { try await server.addUser(name) }
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.addAdministrator("root@salon.test", role: .server, by: .system)
                try d.addAdministrator("chatadmin@salon.test", by: .system)
            }
            let root = try await server.online("root")
            let nodes = try await root.commandNodes(at: domain)
            #expect(nodes.contains("\(admin)#add-user") && nodes.contains("\(admin)#announce") && nodes.count == 10)
            // Chat administrators and users see none of them, only everyone's ping.
            let chatAdmin = try await server.online("chatadmin")
            #expect(try await chatAdmin.commandNodes(at: domain) == ["ping"])
            #expect(try await chatAdmin.runCommand("\(admin)#add-user", at: domain).error == "forbidden")

            let added = try await root.runCommand("\(admin)#add-user", at: domain, [["accountjid": ["dave@salon.test"], "password": ["d4ve!"], "password-verify": ["d4ve!"]]])
            #expect(added.succeeded)
            let mismatch = try await root.runCommand("\(admin)#add-user", at: domain, [["accountjid": ["erin@salon.test"], "password": ["a"], "password-verify": ["b"]]])
            #expect(mismatch.note?.text == "The passwords do not match.")
            let exists = try await root.runCommand("\(admin)#add-user", at: domain, [["accountjid": ["dave@salon.test"], "password": ["x"], "password-verify": ["x"]]])
            #expect(exists.note?.text == "dave@salon.test already exists.")
            let foreign = try await root.runCommand("\(admin)#add-user", at: domain, [["accountjid": ["x@other.example"], "password": ["x"], "password-verify": ["x"]]])
            #expect(foreign.note?.type == "error")
            var options = server.options()
            options.timeout = .seconds(10)
            let dave = try await XMPPClient.connect(options, username: "dave", password: "d4ve!")

            #expect(try await root.runCommand("\(admin)#change-user-password", at: domain, [["accountjid": ["dave@salon.test"], "password": ["n3w"]]]).succeeded)
            _ = try await XMPPClient.connect(options, username: "dave", password: "n3w")

            let registered = try await root.runCommand("\(admin)#get-registered-users-num", at: domain)
            #expect(registered.form?.values("registeredusersnum") == ["4"] && registered.form?.formType == admin)
            // Typed and labelled, so that Profanity shows the value.
            #expect(registered.form?["registeredusersnum"]?.type == "text-single" && registered.form?["registeredusersnum"]?.label != nil)
            let list = try await root.runCommand("\(admin)#get-registered-users-list", at: domain, [["max_items": ["none"]]])
            #expect(list.form?.values("registereduserjids").sorted() == ["alice@salon.test", "chatadmin@salon.test", "dave@salon.test", "root@salon.test"])
            let alice = try await server.online("alice")
            let online = try await root.runCommand("\(admin)#get-online-users-list", at: domain, [["max_items": ["25"]]])
            #expect(online.form?.values("onlineuserjids").contains("alice@salon.test") == true)
            #expect(try await root.runCommand("\(admin)#get-online-users-num", at: domain).form?.values("onlineusersnum").first.flatMap(Int.init) ?? 0 >= 3)

            let announced = try await root.runCommand("\(admin)#announce", at: domain, [["subject": ["Maintenance"], "announcement": ["Back at 18:00"]]])
            #expect(announced.succeeded)
            let notice = try await alice.expect { $0.name == "message" && $0[attribute: "from"] == "salon.test" }
            #expect(notice.child("body", namespace: NS.client)?.text == "Back at 18:00" && notice[attribute: "type"] == "headline")

            let ended = try await root.runCommand("\(admin)#end-user-session", at: domain, [["accountjids": ["alice@salon.test"]]])
            #expect(ended.note?.text == "Ended 1 sessions.")
            let streamError = try await alice.expect { $0.name == "error" && $0.namespace == NS.streams }
            #expect(streamError.child("policy-violation", namespace: NS.streamErrors) != nil)

            #expect(try await root.runCommand("\(admin)#delete-user", at: domain, [["accountjids": ["dave@salon.test"]]]).succeeded)
            #expect(try await server.accounts.list().contains("dave@salon.test") == false)
            _ = try await dave.expect { $0.name == "error" && $0.namespace == NS.streams }
        }
    }

    @Test("Any user runs the ad-hoc ping command on the server and gets a pong with the time")
    func pingCommand() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            #expect(try await alice.commandNodes(at: domain) == ["ping"])
            let pong = try await alice.runCommand("ping", at: domain)
            #expect(pong.succeeded)
            #expect(pong.note?.text.hasPrefix("Pong\n") == true)
            #expect(try await alice.runCommand("no-such-command", at: domain).error != nil)
        }
    }
}
