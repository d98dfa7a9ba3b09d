import Testing
@testable import PersistentChat

/// The full permission matrix of design §3: privacy (3) × type (2) × how the user is named (3)
/// × role (10) × room state (enabled, disabled: 2) × action (20) = 7,200 cases.
/// Expectations come from the design's table below, not from the implementation.
struct PermissionMatrixTests {
    enum Naming: String, CaseIterable, Sendable { case user, group, domain }

    enum Role: String, CaseIterable, Sendable {
        case noneInScope, outOfScope, deniedThroughGroup, member, manager, presenter, presenterMember
        case managerMember, administrator, policyOff
    }

    enum Action: String, CaseIterable, Sendable {
        case find, seeDetails, seeMembers, join, read, post, manage
        case changeCategoryToOwn  // to a category where the user is a Creator
        case changeCategoryElsewhere  // to a category where the user is in scope but no Creator
        case delete
        case moderate  // remove one message (XEP-0425)
        case changeSubject
        case changeLists  // affiliations, roles, voices, kicks
        case seeMemberList, seeManagerList, seeOutcasts
        case search  // the room is among those a cross-room search covers
        case standing  // the role and affiliation an occupant gets
        case configure  // the muc#owner form
        case seeOccupants  // who is in the room, asked from outside it
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var privacy: RoomPrivacy, type: RoomType, naming: Naming, role: Role, disabled: Bool, action: Action
        var testDescription: String {
            "\(privacy) \(type) \(disabled ? "disabled" : "enabled") room, user named by \(naming), \(role): \(action)"
        }
    }

    static let cases: [Case] = RoomPrivacy.allCases.flatMap { privacy in
        RoomType.allCases.flatMap { type in
            Naming.allCases.flatMap { naming in
                Role.allCases.flatMap { role in
                    [false, true].flatMap { disabled in
                        Action.allCases.map { Case(privacy: privacy, type: type, naming: naming, role: role, disabled: disabled, action: $0) }
                    }
                }
            }
        }
    }

    // MARK: The design table (§3), written out independently of the implementation.

    /// Who gets a right: anyone (in scope, policy on), members only, or nobody.
    enum Who { case anyone, members, nobody }

    static let table: [RoomPrivacy: (find: Who, details: Who, memberList: Who, join: Who)] = [
        .open: (find: .anyone, details: .anyone, memberList: .nobody, join: .anyone),
        .closed: (find: .anyone, details: .anyone, memberList: .anyone, join: .members),
        .secret: (find: .members, details: .members, memberList: .members, join: .members),
    ]

    struct Expected {
        var find = false, details = false, memberList = false, join = false, post = false
        var manage = false, moveToOwn = false, moveElsewhere = false, delete = false, moderate = false
        var role = OccupantRole.visitor, affiliation = RoomAffiliation.none
        var isMember = false
    }

    static func expected(for c: Case) -> Expected {
        let allRoles = Set(Role.allCases)
        let inScope = allRoles.subtracting([.outOfScope, .deniedThroughGroup]).contains(c.role)
        let namedMember: Set<Role> = [.member, .presenterMember, .managerMember, .policyOff, .outOfScope, .deniedThroughGroup]
        let namedManager: Set<Role> = [.manager, .managerMember, .policyOff, .outOfScope, .deniedThroughGroup]
        let namedPresenter: Set<Role> = [.presenter, .presenterMember, .policyOff, .outOfScope, .deniedThroughGroup]
        let isAdministrator = c.role == .administrator
        let isMember = inScope && namedMember.contains(c.role)
        let isManager = inScope && namedManager.contains(c.role)
        // A presenter must be a member, except in an Open room; only Auditorium rooms have presenters.
        let isPresenter = inScope && namedPresenter.contains(c.role) && c.type == .auditorium && (isMember || c.privacy == .open)
        let live = c.role != .policyOff && !c.disabled

        func grants(_ who: Who) -> Bool {
            guard live else { return false }
            switch who {
            case .anyone: return inScope
            case .members: return isMember
            case .nobody: return false
            }
        }
        let row = table[c.privacy]!
        var e = Expected()
        e.find = grants(row.find)
        e.details = grants(row.details)
        e.memberList = grants(row.memberList)
        e.join = grants(row.join)
        e.post = c.type == .normal ? e.join : (e.join && isPresenter)
        e.manage = isManager || isAdministrator
        e.moveToOwn = isManager || isAdministrator
        e.moveElsewhere = isAdministrator
        e.delete = isAdministrator
        // Design §3: managers moderate single messages in their own rooms, administrators everywhere.
        e.moderate = isManager || isAdministrator
        e.isMember = isMember
        // Design §8: presenters speak in an auditorium, whoever may post in a Normal room; managers moderate.
        let speaks = c.type == .auditorium ? isPresenter : e.post
        e.role = speaks ? (isManager ? .moderator : .participant) : .visitor
        e.affiliation = isManager ? .manager : isMember ? .member : c.role == .deniedThroughGroup ? .outcast : .none
        return e
    }

    // MARK: The world of one case

    static let alice = "alice@example.com"

    static func directory(for c: Case) -> ChatDirectory {
        let subject: Principal = switch c.naming {
        case .user: .user(alice)
        case .group: .group("team")
        case .domain: .domain("example.com")
        }
        let somebodyElse: Principal = switch c.naming {
        case .user: .user("bob@example.com")
        case .group: .group("others")
        case .domain: .domain("other.org")
        }
        let eng = Category(name: "Eng", allowed: [c.role == .outOfScope ? somebodyElse : subject],
                           denied: c.role == .deniedThroughGroup ? [.group("blocked")] : [])
        let ops = Category(name: "Ops", allowed: [subject], creators: [subject])
        let sales = Category(name: "Sales", allowed: [subject], creators: [.user("bob@example.com")])

        var room = Room(localpart: "r1", name: "Room One", category: "Eng", type: c.type, privacy: c.privacy, disabled: c.disabled)
        switch c.role {
        case .noneInScope, .administrator: break
        case .member: room.members = [subject]
        case .manager: room.managers = [subject]
        case .presenter: room.presenters = [subject]
        case .presenterMember: (room.members, room.presenters) = ([subject], [subject])
        case .managerMember: (room.members, room.managers) = ([subject], [subject])
        case .outOfScope, .deniedThroughGroup, .policyOff: (room.members, room.managers, room.presenters) = ([subject], [subject], [subject])
        }
        return ChatDirectory(
            categories: ["eng": eng, "ops": ops, "sales": sales],
            rooms: ["r1": room],
            groups: ["team": [alice, "bob@example.com"], "others": ["carol@example.com"], "blocked": [alice]],
            administrators: c.role == .administrator ? [alice] : ["root@example.com"],
            policy: ChatPolicy(overrides: c.role == .policyOff ? [alice: false] : [:]))
    }

    @Test func matrixHasEveryCombination() {
        #expect(Self.cases.count == 3 * 2 * 3 * 10 * 2 * 20)
    }

    @Test(arguments: cases)
    func decision(_ c: Case) throws {
        var directory = Self.directory(for: c)
        let room = try #require(directory.rooms["r1"])
        let access = directory.access(of: Self.alice, to: room)
        let e = Self.expected(for: c)
        // A refused mutation answers item-not-found when the room is invisible to the user.
        let refusal: ChatRuleError.Kind = e.details ? .forbidden : .notFound

        switch c.action {
        case .find:
            #expect(access.canFind == e.find)
            #expect(directory.visibleRooms(for: Self.alice).map(\.localpart) == (e.find ? ["r1"] : []))
        case .seeDetails:
            #expect(access.canSeeDetails == e.details)
        case .seeMembers:
            #expect(access.canSeeMembers == e.memberList)
        case .join:
            #expect(access.canJoin == e.join)
        case .read:
            #expect(access.canRead == e.join)
        case .post:
            #expect(access.canPost == e.post)
            expectOutcome(e.post, .forbidden) { () throws(ChatRuleError) in try access.checkMayPost(in: room) }
        case .manage:
            #expect(access.canManage == e.manage)
            expectOutcome(e.manage, refusal) { () throws(ChatRuleError) in
                _ = try directory.updateRoom("r1", by: .user(Self.alice)) { $0.description = "Changed" }
            }
        case .changeCategoryToOwn:
            expectOutcome(e.moveToOwn, refusal) { () throws(ChatRuleError) in
                _ = try directory.updateRoom("r1", by: .user(Self.alice)) { $0.category = "ops" }
            }
            #expect((directory.rooms["r1"]?.category == "Ops") == e.moveToOwn)
        case .changeCategoryElsewhere:
            // A manager who is not a Creator there is refused with forbidden (they may see the room they manage).
            let kind: ChatRuleError.Kind = access.isManager ? .forbidden : refusal
            expectOutcome(e.moveElsewhere, kind) { () throws(ChatRuleError) in
                _ = try directory.updateRoom("r1", by: .user(Self.alice)) { $0.category = "Sales" }
            }
        case .delete:
            #expect(access.canDelete == e.delete)
            expectOutcome(e.delete, refusal) { () throws(ChatRuleError) in
                try directory.removeRoom("r1", by: .user(Self.alice))
            }
            #expect((directory.rooms["r1"] == nil) == e.delete)
        case .moderate:
            expectOutcome(e.moderate, refusal) { () throws(ChatRuleError) in
                try directory.checkMayModerate(Self.alice, in: room)
            }
        case .changeSubject:
            expectOutcome(e.manage, .forbidden) { () throws(ChatRuleError) in try access.checkMayChangeSubject() }
        case .changeLists:
            expectOutcome(e.manage, .forbidden) { () throws(ChatRuleError) in try access.checkMayChangeLists() }
        case .seeMemberList:
            expectOutcome(e.memberList || e.manage, .forbidden) { () throws(ChatRuleError) in
                #expect(try directory.principals(with: .member, in: room, seenBy: access) == room.members)
            }
        case .seeManagerList:
            expectOutcome(e.memberList || e.manage || e.isMember, .forbidden) { () throws(ChatRuleError) in
                #expect(try directory.principals(with: .manager, in: room, seenBy: access) == room.managers)
            }
        case .seeOutcasts:
            expectOutcome(e.manage, .forbidden) { () throws(ChatRuleError) in
                #expect(try directory.principals(with: .outcast, in: room, seenBy: access) == directory.outcasts(of: room))
            }
        case .search:
            #expect(directory.searchableRooms(for: Self.alice) == (e.join ? ["r1"] : []))
        case .configure:
            expectOutcome(e.manage, .forbidden) { () throws(ChatRuleError) in try access.checkMayConfigure() }
        case .seeOccupants:
            #expect(access.maySeeOccupants(asOccupant: false) == e.join)
            #expect(access.maySeeOccupants(asOccupant: true))
        case .standing:
            #expect(access.role(in: room) == e.role)
            #expect(directory.affiliation(of: Self.alice, access: access, in: room) == e.affiliation)
        }
    }

    /// Succeeds when `allowed`, else fails with `refusal`.
    private func expectOutcome(_ allowed: Bool, _ refusal: ChatRuleError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
                               _ body: () throws(ChatRuleError) -> Void) {
        if allowed {
            do { try body() } catch { Issue.record("Expected success, got \(error.kind): \(error.message)", sourceLocation: sourceLocation) }
        } else {
            expectRuleError(refusal, sourceLocation: sourceLocation, body)
        }
    }
}
