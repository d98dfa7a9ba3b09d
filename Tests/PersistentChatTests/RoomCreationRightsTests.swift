import Testing
@testable import PersistentChat

/// Who may create rooms at all, where a new room starts, and the one room-address rule.
struct RoomCreationRightsTests {
    /// Eng: Alice is its Creator. Ops: Bob is its Creator but out of its scope (other.org only).
    static func directory(policyOffFor user: String? = nil) -> ChatDirectory {
        var directory = Sample.directory()
        directory.categories["ops"] = Category(name: "Ops", allowed: [.domain("other.org")], creators: [.user(Sample.bob)])
        if let user { directory.policy = ChatPolicy(overrides: [user: false]) }
        return directory
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var user: String, policyOff: Bool, categories: [String], starting: String, refusal: ChatRuleError.Kind?
        var testDescription: String { "\(user)\(policyOff ? " (policy off)" : "")" }
    }

    static let cases: [Case] = [
        Case(user: Sample.alice, policyOff: false, categories: ["Eng"], starting: "Eng", refusal: nil),
        Case(user: Sample.alice, policyOff: true, categories: [], starting: "", refusal: .notFound),
        Case(user: Sample.bob, policyOff: false, categories: [], starting: "", refusal: .unavailable),  // a Creator out of scope is none
        Case(user: Sample.carol, policyOff: false, categories: [], starting: "", refusal: .unavailable),
        // Administrators create anywhere, but a room starts only where they are in scope (Eng, not Ops).
        Case(user: Sample.admin, policyOff: false, categories: ["Eng", "Ops"], starting: "Eng", refusal: nil),
    ]

    @Test(arguments: cases)
    func rights(_ c: Case) {
        let directory = Self.directory(policyOffFor: c.policyOff ? c.user : nil)
        #expect(directory.categoriesForNewRooms(by: c.user) == c.categories)
        #expect(directory.mayCreateRooms(c.user) == (!c.categories.isEmpty || c.user == Sample.admin))
        #expect(directory.startingCategory(forRoomBy: c.user) == c.starting)
        if let refusal = c.refusal {
            expectRuleError(refusal) { () throws(ChatRuleError) in try directory.checkMayCreateRooms(c.user) }
        } else {
            #expect(throws: Never.self) { try directory.checkMayCreateRooms(c.user) }
        }
    }

    @Test func anAdministratorCreatesRoomsButNotByJoiningBeforeAnyCategoryExists() {
        var directory = Self.directory()
        directory.categories = [:]
        #expect(directory.mayCreateRooms(Sample.admin))
        expectRuleError(.unavailable) { () throws(ChatRuleError) in try directory.checkMayCreateRooms(Sample.admin) }
    }

    @Test func noStartingCategoryWhenTheCreatorHasSeveral() {
        var directory = Self.directory()
        directory.categories["sales"] = Category(name: "Sales", allowed: [.domain("example.com")], creators: [.user(Sample.alice)])
        #expect(directory.startingCategory(forRoomBy: Sample.alice) == "")
    }

    @Test(arguments: [
        ("general", true), ("a.b_c-9", true), (String(repeating: "a", count: 64), true),
        ("", false), (String(repeating: "a", count: 65), false), ("General", false), ("café", false), ("a b", false), ("a@b", false),
    ])
    func roomAddresses(_ localpart: String, valid: Bool) {
        if valid {
            #expect(throws: Never.self) { try ChatDirectory.checkRoomLocalpart(localpart) }
        } else {
            expectRuleError(.invalid) { () throws(ChatRuleError) in try ChatDirectory.checkRoomLocalpart(localpart) }
        }
    }
}
