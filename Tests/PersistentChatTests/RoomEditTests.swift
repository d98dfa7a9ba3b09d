import Testing
@testable import PersistentChat

/// The one settings path: an edit from any front end (owner form, ad-hoc, CLI) becomes a room
/// through `RoomEdit.apply`, which answers the standard yes/no questions with the model's rules.
struct RoomEditTests {
    typealias S = Sample

    /// Eng (history and invitations on) and Quiet (both off).
    static func directory() -> ChatDirectory {
        var directory = S.directory()
        directory.categories["quiet"] = Category(name: "Quiet", allowed: [.domain("example.com")], invitations: false, chatHistory: false)
        return directory
    }

    static func applied(_ edit: RoomEdit, to room: Room = S.room(), in directory: ChatDirectory = directory()) throws(ChatRuleError) -> Room {
        var room = room
        try edit.apply(to: &room, in: directory)
        return room
    }

    @Test func anEmptyEditChangesNothing() throws {
        let room = Room(localpart: "r", name: "R", description: "d", category: "Eng", type: .auditorium, privacy: .secret,
                        invitations: .off, disabled: true, addIn: "Board", members: [.user(S.alice)], managers: [.user(S.bob)],
                        presenters: [.user(S.alice)])
        #expect(try Self.applied(RoomEdit(), to: room) == room)
    }

    @Test func plainSettingsAndListsAreSet() throws {
        var edit = RoomEdit()
        edit.name = "New"
        edit.description = "About"
        edit.category = "Quiet"
        edit.type = .auditorium
        edit.privacy = .open
        edit.invitations = .off
        edit.disabled = true
        edit.members = PrincipalListEdit(adding: [.user(S.bob)])
        edit.managers = PrincipalListEdit(replacement: [.user(S.carol)])
        edit.presenters = PrincipalListEdit(removing: [.user(S.alice)])
        let room = try Self.applied(edit, to: S.room(members: [.user(S.alice)], managers: [.user(S.alice)], presenters: [.user(S.alice)]))
        #expect(room.name == "New" && room.description == "About" && room.category == "Quiet")
        #expect(room.type == .auditorium && room.privacy == .open && room.invitations == .off && room.disabled)
        #expect(room.members == [.user(S.alice), .user(S.bob)] && room.managers == [.user(S.carol)] && room.presenters.isEmpty)
    }

    @Test func addInsAreNamedOrRemoved() throws {
        var room = S.room()
        room.addIn = "Board"
        var edit = RoomEdit()
        edit.setAddIn("none")
        #expect(try Self.applied(edit, to: room).addIn == nil)
        edit.setAddIn("")
        #expect(try Self.applied(edit, to: room).addIn == nil)
        edit.setAddIn("Wiki")
        #expect(try Self.applied(edit, to: room).addIn == "Wiki")
        // The owner form names "no add-in" itself and may choose one called none.
        edit.addIn = "none"
        #expect(try Self.applied(edit, to: room).addIn == "none")
    }

    @Test(arguments: [
        (RoomPrivacy.open, true as Bool?, nil as Bool?, RoomPrivacy.closed),
        (.closed, false, nil, .open),
        (.closed, nil, false, .secret),
        (.secret, nil, true, .closed),
        (.secret, false, true, .open),
    ])
    func membersOnlyAndListedMapToPrivacy(_ before: RoomPrivacy, _ membersOnly: Bool?, _ listed: Bool?, _ after: RoomPrivacy) throws {
        var edit = RoomEdit()
        edit.membersOnly = membersOnly
        edit.listed = listed
        #expect(try Self.applied(edit, to: S.room(privacy: before)).privacy == after)
    }

    @Test func theStandardQuestionsComplementTheChosenPrivacy() throws {
        var edit = RoomEdit()
        edit.privacy = .closed
        edit.listed = false
        #expect(try Self.applied(edit, to: S.room(privacy: .open)).privacy == .secret)
        // Not members-only but hidden does not exist.
        edit = RoomEdit()
        edit.privacy = .secret
        edit.membersOnly = false
        expectRuleError(.invalid) { () throws(ChatRuleError) in try Self.applied(edit) }
    }

    @Test func moderatedIsAnAuditoriumAndWinsOverTheType() throws {
        var edit = RoomEdit()
        edit.moderated = true
        #expect(try Self.applied(edit).type == .auditorium)
        edit.type = .auditorium
        edit.moderated = false
        #expect(try Self.applied(edit).type == .normal)
        #expect(RoomType(moderated: true) == .auditorium && RoomType(moderated: false) == .normal)
    }

    @Test func invitationsFollowTheCategoryAsEdited() throws {
        var edit = RoomEdit()
        edit.allowsInvitations = false
        #expect(try Self.applied(edit).invitations == .off)
        edit.allowsInvitations = true
        #expect(try Self.applied(edit, to: Room(localpart: "r", name: "R", category: "Eng", invitations: .off)).invitations == .inherit)
        // Moving to a category with invitations off: they cannot be switched on there.
        edit.category = "Quiet"
        expectRuleError(.invalid) { () throws(ChatRuleError) in try Self.applied(edit) }
    }

    @Test func historyIsTheCategorysAndCanOnlyBeRepeated() throws {
        var edit = RoomEdit()
        edit.archived = true
        #expect(try Self.applied(edit).category == "Eng")
        edit.archived = false
        expectRuleError(.invalid) { () throws(ChatRuleError) in try Self.applied(edit) }
        edit.category = "Quiet"
        #expect(try Self.applied(edit).category == "Quiet")
    }

    @Test func fixedRulesRefuseOtherAnswers() throws {
        var edit = RoomEdit()
        edit.realJIDsVisibleToAll = true
        edit.occupantsChangeSubject = false
        _ = try Self.applied(edit)
        edit.realJIDsVisibleToAll = false
        expectRuleError(.invalid) { () throws(ChatRuleError) in try Self.applied(edit) }
        edit.realJIDsVisibleToAll = nil
        edit.occupantsChangeSubject = true
        expectRuleError(.invalid) { () throws(ChatRuleError) in try Self.applied(edit) }
    }

    @Test func updateRoomApplyingAnEditKeepsThePermissionChecks() throws {
        var directory = Self.directory()
        _ = try directory.createRoom(S.room(managers: [.user(S.bob)]), by: .system)
        var edit = RoomEdit()
        edit.description = "By the manager"
        _ = try directory.updateRoom("general", by: .user(S.bob), applying: edit)
        #expect(directory.rooms["general"]?.description == "By the manager")
        expectRuleError(.forbidden) { () throws(ChatRuleError) in _ = try directory.updateRoom("general", by: .user(S.carol), applying: edit) }
        edit.disabled = true
        _ = try directory.updateRoom("general", by: .user(S.bob), applying: edit)
        edit.disabled = false
        expectRuleError(.forbidden) { () throws(ChatRuleError) in _ = try directory.updateRoom("general", by: .user(S.bob), applying: edit) }
        // The questions are answered against the directory as it was: history stays the category's.
        edit = RoomEdit()
        edit.archived = false
        expectRuleError(.invalid) { () throws(ChatRuleError) in _ = try directory.updateRoom("general", by: .system, applying: edit) }
    }

    @Test func historyIsKeptUnlessTheCategorySaysNo() {
        let directory = Self.directory()
        #expect(directory.keepsHistory(S.room()))
        #expect(!directory.keepsHistory(S.room(category: "Quiet")))
        #expect(ChatDirectory.keepsHistory(in: nil))
        #expect(!ChatDirectory.keepsHistory(in: directory.category(named: "quiet")))
    }

    @Test func theArchiveIsReadOnlyWhereHistoryIsKept() {
        let directory = Self.directory()
        #expect(throws: Never.self) { try ChatDirectory.checkArchiveReadable(in: directory.category(named: "eng")) }
        #expect(throws: Never.self) { try ChatDirectory.checkArchiveReadable(in: nil) }
        expectRuleError(.switchedOff) { () throws(ChatRuleError) in try ChatDirectory.checkArchiveReadable(in: directory.category(named: "quiet")) }
    }

    @Test func participantUpdatesStopAboveTheLimit() {
        let settings = ServiceSettings(participantUpdateLimit: 3)
        #expect(settings.sendsParticipantUpdates(occupantCount: 3))
        #expect(!settings.sendsParticipantUpdates(occupantCount: 4))
    }
}

