import Testing
@testable import PersistentChat

/// Room validation, creation and the rights of managers (design §3).
struct RoomRuleTests {
    typealias S = Sample

    @Test func namesAreUniqueAcrossRoomsAndCategoriesIgnoringCase() throws {
        var directory = S.directory()
        _ = try directory.createRoom(S.room(), by: .system)
        expectRuleError(.conflict) { () throws(ChatRuleError) in _ = try directory.createRoom(S.room("g2", name: "gENERAL"), by: .system) }
        expectRuleError(.conflict) { () throws(ChatRuleError) in _ = try directory.createRoom(S.room("g2", name: "ENG"), by: .system) }
        expectRuleError(.conflict) { () throws(ChatRuleError) in try directory.createCategory(Category(name: "General"), by: .system) }
        expectRuleError(.conflict) { () throws(ChatRuleError) in try directory.createCategory(Category(name: "eng"), by: .system) }
        expectRuleError(.conflict) { () throws(ChatRuleError) in _ = try directory.createRoom(S.room("general", name: "Fresh"), by: .system) }
        _ = try directory.createRoom(S.room("g2", name: "Second"), by: .system)
        expectRuleError(.conflict) { () throws(ChatRuleError) in _ = try directory.updateRoom("g2", by: .system) { $0.name = "general" } }
        expectRuleError(.conflict) { () throws(ChatRuleError) in _ = try directory.updateCategory(named: "Eng", by: .system) { $0.name = "SECOND" } }
        // Renaming to itself in another case is fine, and a category rename follows into its rooms.
        _ = try directory.updateRoom("general", by: .system) { $0.name = "GENERAL" }
        _ = try directory.updateCategory(named: "Eng", by: .system) { $0.name = "Engineering" }
        #expect(directory.rooms["general"]?.category == "Engineering")
        #expect(directory.categories["engineering"] != nil && directory.categories["eng"] == nil)
        #expect(directory.rooms["g2"]?.name == "Second")
    }

    @Test(arguments: ["", "   ", String(repeating: "n", count: 257), "tab\there", "line\nbreak"])
    func invalidRoomNamesAreRefused(_ name: String) {
        var directory = S.directory()
        expectRuleError(.invalid) { () throws(ChatRuleError) in _ = try directory.createRoom(S.room(name: name), by: .system) }
        expectRuleError(.invalid) { () throws(ChatRuleError) in try directory.createCategory(Category(name: name), by: .system) }
    }

    @Test func namesAndDescriptionsHaveBounds() throws {
        var directory = S.directory()
        let longest = String(repeating: "é", count: 256)
        _ = try directory.createRoom(Room(localpart: "a", name: longest, description: longest, category: "Eng"), by: .system)
        expectRuleError(.invalid) { () throws(ChatRuleError) in
            _ = try directory.createRoom(Room(localpart: "b", name: "B", description: longest + "x", category: "Eng"), by: .system)
        }
        expectRuleError(.invalid) { () throws(ChatRuleError) in
            _ = try directory.createRoom(Room(localpart: "b", name: "B", category: "Eng", subject: String(repeating: "s", count: 1025)), by: .system)
        }
        expectRuleError(.invalid) { () throws(ChatRuleError) in  // one character, far too many bytes
            _ = try directory.createRoom(Room(localpart: "b", name: "e" + String(repeating: "\u{301}", count: 2000), category: "Eng"), by: .system)
        }
    }

    @Test(arguments: ["", "UPPER", "has space", "a@b", "a/b", "ünï", String(repeating: "x", count: 65)])
    func invalidLocalpartsAreRefused(_ localpart: String) {
        var directory = S.directory()
        expectRuleError(.invalid) { () throws(ChatRuleError) in _ = try directory.createRoom(S.room(localpart), by: .system) }
    }

    @Test func localpartIsImmutable() throws {
        var directory = S.directory()
        _ = try directory.createRoom(S.room(String(repeating: "x", count: 64), name: "Long"), by: .system)
        _ = try directory.createRoom(S.room("a.b_c-9"), by: .system)
        expectRuleError(.invalid) { () throws(ChatRuleError) in
            _ = try directory.updateRoom("a.b_c-9", by: .system) { $0 = S.room("renamed") }
        }
        expectRuleError(.notFound) { () throws(ChatRuleError) in _ = try directory.updateRoom("missing", by: .system) { _ in } }
    }

    @Test func categoryAndAddInOfARoomMustExist() throws {
        var directory = S.directory()
        expectRuleError(.notFound) { () throws(ChatRuleError) in _ = try directory.createRoom(S.room(category: "Nope"), by: .system) }
        var room = S.room()
        room.addIn = "Board"
        expectRuleError(.notFound) { () throws(ChatRuleError) in _ = try directory.createRoom(room, by: .system) }
        try directory.createAddIn(AddIn(name: "Board", url: "https://board.example.com/"), by: .system)
        room.addIn = "board"
        #expect(try directory.createRoom(room, by: .system).addIn == "Board")
        expectRuleError(.notFound) { () throws(ChatRuleError) in _ = try directory.updateRoom("general", by: .system) { $0.category = "Nope" } }
    }

    @Test func openRoomsRefuseAMemberList() throws {
        var directory = S.directory()
        let error = expectRuleError(.invalid) { () throws(ChatRuleError) in
            _ = try directory.createRoom(S.room(privacy: .open, members: [.user(S.alice)]), by: .system)
        }
        #expect(error?.message.contains("Open rooms have no member list") == true)
        _ = try directory.createRoom(S.room(privacy: .open), by: .system)
        expectRuleError(.invalid) { () throws(ChatRuleError) in
            _ = try directory.updateRoom("general", by: .system) { $0.members = [.user(S.bob)] }
        }
        _ = try directory.createRoom(S.room("c", name: "C", members: [.user(S.bob)]), by: .system)
        expectRuleError(.invalid) { () throws(ChatRuleError) in  // becoming Open while adding members
            _ = try directory.updateRoom("c", by: .system) { $0.privacy = .open; $0.members.append(.user(S.alice)) }
        }
        #expect(directory.rooms["c"]?.privacy == .closed)
    }

    @Test func presentersMustBeMembersOfClosedAndSecretRooms() throws {
        var directory = S.directory()
        for privacy in [RoomPrivacy.closed, .secret] {
            let error = expectRuleError(.invalid) { () throws(ChatRuleError) in
                _ = try directory.createRoom(S.room(type: .auditorium, privacy: privacy, presenters: [.user(S.alice)]), by: .system)
            }
            #expect(error?.message == "Presenter alice@example.com must also be a member of General.")
        }
        // Covered through a group on the member list counts; a group presenter must be listed itself.
        _ = try directory.createRoom(S.room(type: .auditorium, members: [.group("team")], presenters: [.user(S.alice), .group("team")]), by: .system)
        expectRuleError(.invalid) { () throws(ChatRuleError) in
            _ = try directory.createRoom(S.room("b", name: "B", type: .auditorium, members: [.domain("example.com")],
                                                presenters: [.group("team")]), by: .system)
        }
        // Open: in scope is enough.
        _ = try directory.createRoom(S.room("o", name: "O", type: .auditorium, privacy: .open, presenters: [.user(S.bob)]), by: .system)
        expectRuleError(.outOfScope) { () throws(ChatRuleError) in
            _ = try directory.createRoom(S.room("p", name: "P", type: .auditorium, privacy: .open, presenters: [.user(S.dave)]), by: .system)
        }
        // Normal rooms have no presenters.
        expectRuleError(.invalid) { () throws(ChatRuleError) in
            _ = try directory.createRoom(S.room("n", name: "N", members: [.user(S.bob)], presenters: [.user(S.bob)]), by: .system)
        }
    }

    @Test func everyRoleMustBeInScopeWhenAdded() throws {
        var directory = S.directory()
        for room in [S.room(members: [.user(S.dave)]), S.room(managers: [.group("mixed")]), S.room(members: [.domain("other.org")])] {
            expectRuleError(.outOfScope) { () throws(ChatRuleError) in _ = try directory.createRoom(room, by: .system) }
        }
        expectRuleError(.notFound) { () throws(ChatRuleError) in _ = try directory.createRoom(S.room(members: [.group("ghosts")]), by: .system) }
        expectRuleError(.invalid) { () throws(ChatRuleError) in _ = try directory.createRoom(S.room(members: [.user("no-at-sign")]), by: .system) }
        let room = try directory.createRoom(S.room(members: [.user("Alice@Example.COM"), .user(S.alice), .group("TEAM")]), by: .system)
        #expect(room.members == [.user(S.alice), .group("team")])  // lowercased, each once
    }

    @Test func creatorsCreateRoomsAndBecomeManagersAndMembers() throws {
        var directory = S.directory()
        let created = try directory.createRoom(S.room(), by: .user(S.alice))
        #expect(created.managers == [.user(S.alice)])
        #expect(directory.rooms["general"] == created)
        #expect(directory.access(of: S.alice, to: created).isManager)
        #expect(created.members == [.user(S.alice)])  // made a member too, so that she keeps the room
        _ = try directory.updateRoom("general", by: .system) { $0.members = [] }
        #expect(!directory.access(of: S.alice, to: directory.rooms["general"]!).isMember)  // managers are not implicitly members

        // Already covered through a group: nothing appended.
        directory.categories["eng"]?.creators = [.group("team")]
        let second = try directory.createRoom(S.room("b", name: "B", managers: [.group("team")]), by: .user(S.bob))
        #expect(second.managers == [.group("team")])

        // Not a creator, out of scope, or policy off: refused. Administrators and the system always may.
        expectRuleError(.forbidden) { () throws(ChatRuleError) in _ = try directory.createRoom(S.room("c", name: "C"), by: .user(S.carol)) }
        directory.policy.overrides[S.bob] = false
        expectRuleError(.forbidden) { () throws(ChatRuleError) in _ = try directory.createRoom(S.room("c", name: "C"), by: .user(S.bob)) }
        let byAdmin = try directory.createRoom(S.room("d", name: "D"), by: .user(S.admin))
        #expect(byAdmin.managers == [.user(S.admin)])
        directory.categories["ops"] = Category(name: "Ops", allowed: [.user(S.carol)])
        let outside = try directory.createRoom(S.room("e", name: "E", category: "Ops"), by: .user(S.admin))
        #expect(outside.managers.isEmpty)  // the administrator is out of Ops' scope
        #expect(try directory.createRoom(S.room("f", name: "F"), by: .system).managers.isEmpty)
        #expect(directory.mayCreateRoom(.system, in: Category(name: "X")))
        #expect(!directory.mayCreateRoom(.user(S.bob), in: Category(name: "X", allowed: [.user(S.bob)], creators: [.user(S.bob)])))
    }

    @Test func managersMoveRoomsOnlyToCategoriesWhereTheyAreCreators() throws {
        var directory = S.directory()
        try directory.createCategory(Category(name: "Ops", allowed: [.domain("example.com")], creators: [.user(S.bob)]), by: .system)
        try directory.createCategory(Category(name: "Sales", allowed: [.domain("example.com")], creators: [.group("contractors")]), by: .system)
        _ = try directory.createRoom(S.room(managers: [.user(S.bob), .user(S.carol)]), by: .system)
        let error = expectRuleError(.forbidden) { () throws(ChatRuleError) in
            _ = try directory.updateRoom("general", by: .user(S.bob)) { $0.category = "Sales" }
        }
        #expect(error?.message.contains("only to a category where they are a Creator") == true)
        _ = try directory.updateRoom("general", by: .user(S.bob)) { $0.category = "Ops" }
        _ = try directory.updateRoom("general", by: .user(S.carol)) { $0.category = "Sales" }  // creator through a group
        #expect(directory.rooms["general"]?.category == "Sales")
        expectRuleError(.forbidden) { () throws(ChatRuleError) in
            _ = try directory.updateRoom("general", by: .user(S.carol)) { $0.category = "Eng" }  // alice is Eng's only creator
        }
        _ = try directory.updateRoom("general", by: .user(S.admin)) { $0.category = "Eng" }
        #expect(directory.rooms["general"]?.category == "Eng")
    }

    @Test func managersChangeEverythingElse() throws {
        var directory = S.directory()
        try directory.createAddIn(AddIn(name: "Board", url: "http://board.example.com"), by: .system)
        _ = try directory.createRoom(S.room(managers: [.user(S.bob)]), by: .system)
        _ = try directory.updateRoom("general", by: .user(S.bob)) { room in
            room.name = "Renamed"
            room.description = "About things"
            room.type = .auditorium
            room.privacy = .secret
            room.addIn = "Board"
            room.invitations = .off
            room.members = [.user(S.alice), .user(S.bob)]
            room.managers = [.user(S.bob), .user(S.carol)]
            room.presenters = [.user(S.alice)]
            room.subject = "Today"
        }
        let room = try #require(directory.rooms["general"])
        #expect(room == Room(localpart: "general", name: "Renamed", description: "About things", category: "Eng", type: .auditorium,
                             privacy: .secret, invitations: .off, addIn: "Board", members: [.user(S.alice), .user(S.bob)],
                             managers: [.user(S.bob), .user(S.carol)], presenters: [.user(S.alice)], subject: "Today"))
        // Others: forbidden when they can see the room, not-found when it is invisible to them.
        expectRuleError(.forbidden) { () throws(ChatRuleError) in _ = try directory.updateRoom("general", by: .user(S.alice)) { $0.subject = "x" } }
        expectRuleError(.notFound) { () throws(ChatRuleError) in _ = try directory.updateRoom("general", by: .user(S.dave)) { $0.subject = "x" } }
        // A manager's change that breaks a rule changes nothing.
        expectRuleError(.outOfScope) { () throws(ChatRuleError) in
            _ = try directory.updateRoom("general", by: .user(S.bob)) { $0.name = "Again"; $0.members.append(.user(S.dave)) }
        }
        #expect(directory.rooms["general"] == room)
        // So does a change closure that throws.
        expectRuleError(.conflict) { () throws(ChatRuleError) in
            _ = try directory.updateRoom("general", by: .user(S.bob)) { (room: inout Room) throws(ChatRuleError) in
                room.name = "Changed"
                throw ChatRuleError(.conflict, "stop")
            }
        }
        #expect(directory.rooms["general"] == room)
    }

    @Test func managersDisableButOnlyAdministratorsReEnable() throws {
        var directory = S.directory()
        _ = try directory.createRoom(S.room(privacy: .open, managers: [.user(S.bob)]), by: .system)
        _ = try directory.updateRoom("general", by: .user(S.bob)) { $0.disabled = true }
        let disabled = try #require(directory.rooms["general"])
        #expect(directory.access(of: S.alice, to: disabled) == .none)
        #expect(directory.visibleRooms(for: S.bob).isEmpty)
        #expect(directory.access(of: S.bob, to: disabled).canManage)
        #expect(!directory.access(of: S.bob, to: disabled).canJoin)
        _ = try directory.updateRoom("general", by: .user(S.bob)) { $0.description = "still managed" }
        expectRuleError(.forbidden) { () throws(ChatRuleError) in _ = try directory.updateRoom("general", by: .user(S.bob)) { $0.disabled = false } }
        _ = try directory.updateRoom("general", by: .user(S.admin)) { $0.disabled = false }
        #expect(try directory.access(of: S.alice, to: #require(directory.rooms["general"])).canJoin)
    }

    @Test func onlyAdministratorsDeleteRooms() throws {
        var directory = S.directory()
        _ = try directory.createRoom(S.room(managers: [.user(S.bob)]), by: .system)
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.removeRoom("general", by: .user(S.bob)) }
        expectRuleError(.notFound) { () throws(ChatRuleError) in try directory.removeRoom("nothing", by: .user(S.admin)) }
        try directory.removeRoom("general", by: .user(S.admin))
        #expect(directory.rooms.isEmpty)
        _ = try directory.createRoom(S.room(), by: .system)
        try directory.removeRoom("general", by: .system)
        #expect(directory.rooms.isEmpty)
    }
}
