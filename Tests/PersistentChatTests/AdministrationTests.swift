import Testing
@testable import PersistentChat

/// What only administrators do: categories, add-ins, groups, administrators, settings (design §2, §4, §5).
struct AdministrationTests {
    typealias S = Sample

    @Test func onlyAdministratorsChangeTheService() {
        var directory = S.directory()
        let user = ChatActor.user(S.alice)  // a Creator of Eng, still no administrator
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.createCategory(Category(name: "X"), by: user) }
        expectRuleError(.forbidden) { () throws(ChatRuleError) in _ = try directory.updateCategory(named: "Eng", by: user) { $0.description = "x" } }
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.removeCategory(named: "Eng", by: user) }
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.createAddIn(AddIn(name: "A", url: "https://a.example"), by: user) }
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.createGroup("g", by: user) }
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.addToGroup("team", users: [S.carol], by: user) }
        expectRuleError(.forbidden) { () throws(ChatRuleError) in _ = try directory.removeFromGroup("team", users: [S.bob], by: user) }
        expectRuleError(.forbidden) { () throws(ChatRuleError) in _ = try directory.removeGroup("team", by: user) }
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.addAdministrator(S.alice, by: user) }
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.removeAdministrator(S.admin, by: user) }
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.updateSettings(by: user) { $0.defaultChatHistory = 10 } }
        #expect(directory == S.directory())
    }

    @Test func creatorsMustBeInScope() throws {
        var directory = S.directory()
        expectRuleError(.outOfScope) { () throws(ChatRuleError) in
            try directory.createCategory(Category(name: "Ops", allowed: [.group("team")], creators: [.user(S.carol)]), by: .system)
        }
        try directory.createCategory(Category(name: "Ops", allowed: [.domain("example.com")], denied: [.user(S.bob)],
                                              creators: [.group("team")]), by: .system)  // in scope: alice is not denied
        expectRuleError(.outOfScope) { () throws(ChatRuleError) in
            _ = try directory.updateCategory(named: "Ops", by: .system) { $0.creators.append(.user(S.bob)) }
        }
        #expect(directory.categories["ops"]?.creators == [.group("team")])
        expectRuleError(.notFound) { () throws(ChatRuleError) in
            try directory.createCategory(Category(name: "Ghosts", allowed: [.group("ghosts")]), by: .system)
        }
    }

    @Test func categoriesWithRoomsCannotBeRemoved() throws {
        var directory = S.directory()
        _ = try directory.createRoom(S.room(), by: .system)
        expectRuleError(.conflict) { () throws(ChatRuleError) in try directory.removeCategory(named: "eng", by: .user(S.admin)) }
        try directory.removeRoom("general", by: .system)
        try directory.removeCategory(named: "eng", by: .user(S.admin))
        #expect(directory.categories.isEmpty)
        expectRuleError(.notFound) { () throws(ChatRuleError) in try directory.removeCategory(named: "eng", by: .system) }
        expectRuleError(.notFound) { () throws(ChatRuleError) in _ = try directory.updateCategory(named: "eng", by: .system) { _ in } }
    }

    @Test func categoryDescriptionsAreBounded() {
        var directory = S.directory()
        expectRuleError(.invalid) { () throws(ChatRuleError) in
            try directory.createCategory(Category(name: "Long", description: String(repeating: "d", count: 257)), by: .system)
        }
    }

    @Test func addInRenameFollowsIntoRoomsAndRemovalClearsThem() throws {
        var directory = S.directory()
        try directory.createAddIn(AddIn(name: "Board", url: "https://board.example.com/x?y=1"), by: .system)
        expectRuleError(.conflict) { () throws(ChatRuleError) in try directory.createAddIn(AddIn(name: "BOARD", url: "https://b.example"), by: .system) }
        var room = S.room()
        room.addIn = "Board"
        _ = try directory.createRoom(room, by: .system)
        try directory.updateAddIn(named: "board", by: .user(S.admin)) { $0.name = "Kanban" }
        #expect(directory.rooms["general"]?.addIn == "Kanban")
        #expect(directory.addIns["kanban"]?.url == "https://board.example.com/x?y=1")
        #expect(directory.addIns["board"] == nil)
        try directory.updateAddIn(named: "Kanban", by: .system) { $0.name = "KANBAN" }  // only the case changes
        #expect(directory.rooms["general"]?.addIn == "KANBAN")
        try directory.removeAddIn(named: "kanban", by: .system)
        #expect(directory.rooms["general"]?.addIn == nil)
        #expect(directory.addIns.isEmpty)
        expectRuleError(.notFound) { () throws(ChatRuleError) in try directory.removeAddIn(named: "kanban", by: .system) }
    }

    @Test(arguments: [
        AddIn(name: "", url: "https://a.example"),
        AddIn(name: String(repeating: "n", count: 51), url: "https://a.example"),
        AddIn(name: "A", url: "ftp://a.example"),
        AddIn(name: "A", url: "https://"),
        AddIn(name: "A", url: "https://a.example/with space"),
        AddIn(name: "A", url: "a.example"),
        AddIn(name: "A", url: "https://a.example/" + String(repeating: "p", count: 238)),
    ])
    func invalidAddInsAreRefused(_ addIn: AddIn) {
        var directory = S.directory()
        expectRuleError(.invalid) { () throws(ChatRuleError) in try directory.createAddIn(addIn, by: .system) }
    }

    @Test func addInLimitsAreInclusive() throws {
        var directory = S.directory()
        try directory.createAddIn(AddIn(name: String(repeating: "n", count: 50), url: "HTTP://a.example/" + String(repeating: "p", count: 238)), by: .system)
        #expect(directory.addIns.count == 1)
    }

    @Test func groupsAreLowercasedAndValidated() throws {
        var directory = S.directory()
        try directory.createGroup("Ops Team", by: .system)
        #expect(directory.groups["ops team"] == [])
        expectRuleError(.conflict) { () throws(ChatRuleError) in try directory.createGroup("OPS TEAM", by: .system) }
        expectRuleError(.invalid) { () throws(ChatRuleError) in try directory.createGroup("", by: .system) }
        expectRuleError(.invalid) { () throws(ChatRuleError) in try directory.createGroup("new\nline", by: .system) }
        try directory.addToGroup("ops team", users: ["Eve@Example.com", S.alice], by: .user(S.admin))
        #expect(directory.groups["ops team"] == ["eve@example.com", S.alice])
        expectRuleError(.invalid) { () throws(ChatRuleError) in try directory.addToGroup("ops team", users: ["nobody"], by: .system) }
        expectRuleError(.notFound) { () throws(ChatRuleError) in try directory.addToGroup("ghosts", users: [S.alice], by: .system) }
        expectRuleError(.notFound) { () throws(ChatRuleError) in _ = try directory.removeFromGroup("ghosts", users: [S.alice], by: .system) }
    }

    @Test func administratorsAddAndRemoveAdministrators() throws {
        var directory = ChatDirectory()
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.addAdministrator(S.alice, by: .user(S.alice)) }
        try directory.addAdministrator("Alice@Example.com", by: .system)
        try directory.addAdministrator(S.bob, by: .user(S.alice))
        #expect(directory.administrators == [S.alice, S.bob])
        #expect(directory.isAdministrator(S.bob))
        try directory.removeAdministrator(S.bob, by: .user(S.alice))
        expectRuleError(.notFound) { () throws(ChatRuleError) in try directory.removeAdministrator(S.bob, by: .user(S.alice)) }
        expectRuleError(.invalid) { () throws(ChatRuleError) in try directory.addAdministrator("example.com", by: .system) }
        #expect(!directory.isAdministrator(S.bob))
    }

    @Test func onlyServerAdministratorsHandleTheServerRole() throws {
        var directory = ChatDirectory()
        try directory.addAdministrator(S.admin, role: .server, by: .system)
        try directory.addAdministrator(S.alice, by: .user(S.admin))
        #expect(directory.isAdministrator(S.admin) && directory.isServerAdministrator(S.admin))
        #expect(directory.administratorRole(of: S.alice) == .chat && !directory.isServerAdministrator(S.alice))
        // A chat administrator can neither escalate nor touch a server administrator.
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.addAdministrator(S.bob, role: .server, by: .user(S.alice)) }
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.addAdministrator(S.admin, by: .user(S.alice)) }
        expectRuleError(.forbidden) { () throws(ChatRuleError) in try directory.removeAdministrator(S.admin, by: .user(S.alice)) }
        // A server administrator promotes and demotes; one user holds one role.
        try directory.addAdministrator(S.alice, role: .server, by: .user(S.admin))
        #expect(directory.administratorRole(of: S.alice) == .server && !directory.administrators.contains(S.alice))
        try directory.addAdministrator(S.alice, role: .chat, by: .user(S.admin))
        #expect(directory.administratorRole(of: S.alice) == .chat && !directory.serverAdministrators.contains(S.alice))
        try directory.removeAdministrator(S.admin, by: .system)
        #expect(directory.administratorRole(of: S.admin) == nil)
    }

    @Test func settingsRangesAreEnforced() throws {
        var directory = S.directory()
        try directory.updateSettings(by: .user(S.admin)) {
            $0.defaultChatHistory = 500
            $0.maxFileSizeKB = 1
            $0.participantUpdateLimit = 1
            $0.roomManagementURL = "https://rooms.example.com/manage"
        }
        #expect(directory.settings == ServiceSettings(defaultChatHistory: 500, maxFileSizeKB: 1, participantUpdateLimit: 1,
                                                      roomManagementURL: "https://rooms.example.com/manage"))
        try directory.updateSettings(by: .system) { $0.defaultChatHistory = 1; $0.roomManagementURL = "" }
        let valid = directory.settings
        let invalidChanges: [@Sendable (inout ServiceSettings) -> Void] = [
            { $0.defaultChatHistory = 0 }, { $0.defaultChatHistory = 501 }, { $0.defaultChatHistory = -30 },
            { $0.maxFileSizeKB = 0 }, { $0.maxFileSizeKB = Int.max }, { $0.participantUpdateLimit = 0 },
            { $0.roomManagementURL = "ftp://rooms.example.com" }, { $0.roomManagementURL = "rooms" },
            { $0.roomManagementURL = "https://" + String(repeating: "r", count: 2100) },
        ]
        for change in invalidChanges {
            expectRuleError(.invalid) { () throws(ChatRuleError) in try directory.updateSettings(by: .system, change) }
        }
        #expect(directory.settings == valid)
    }
}
