import GRDB
import PersistentChat
import SalonTestSupport
import Testing
@testable import SalonStore

/// Runs once per backend (`TestBackend`), but for the file reopened and the count of SQLite's
/// changes, which are SQLite's.
@Suite struct ChatDirectoryStoreTests {
    @Test(arguments: TestBackend.all) func aFreshDatabaseHasAnEmptyDirectoryWithDefaultSettings(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            #expect(try await database.chat.loadDirectory() == ChatDirectory())
            #expect(try await database.chat.revision() == 0)
        }
    }

    @Test(arguments: TestBackend.all) func aRoomsBannedListAndSubjectAuthorAreKept(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            var directory = try richDirectory()
            directory.rooms["deals"]?.banned = try principals("mallory@example.com", "group:partners", "evil.example")
            directory.rooms["deals"]?.subjectAuthor = "Alice Ω"
            try await database.chat.save(directory, previous: ChatDirectory())
            #expect(try await database.chat.loadDirectory() == directory)

            var changed = directory
            changed.rooms["deals"]?.banned = try principals("evil.example")
            try await database.chat.save(changed, previous: directory)
            let loaded = try await database.chat.loadDirectory()
            #expect(loaded.rooms["deals"]?.banned == (try principals("evil.example")))
            #expect(loaded.rooms["deals"]?.members == directory.rooms["deals"]?.members)
        }
    }

    @Test func aRichDirectorySurvivesSaveAndReopen() async throws {
        try await withTemporaryDirectory { path in
            let directory = try richDirectory()
            let first = try SalonDatabase(directory: path)
            try await first.chat.save(directory, previous: ChatDirectory())
            #expect(try await first.chat.loadDirectory() == directory)
            try first.close()

            let second = try SalonDatabase(directory: path)
            defer { try? second.close() }
            let loaded = try await second.chat.loadDirectory()
            #expect(loaded == directory)
            // Lists keep their order, not a sorted one.
            #expect(loaded.rooms["deals"]?.members == (try principals("bob@example.com", "group:partners",
                                                                         "alice@example.com")))
        }
    }

    @Test(arguments: TestBackend.all) func saveWritesOnlyWhatChanged(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, saved async throws in
            // Marks that a rewrite of the untouched objects (or the untouched list) would erase.
            try await executeRaw(database, "UPDATE chat_rooms SET description = 'marked' WHERE localpart IN ('deals', 'orchard')")
            try await executeRaw(database, "UPDATE chat_categories SET description = 'marked' WHERE key = 'empty'")
            try await executeRaw(database, """
                INSERT INTO chat_room_roles (room, role, principal, position) VALUES ('lobby', 'manager', 'eve@example.com', 9)
                """)
            var changed = saved
            changed.rooms["deals"]?.description = "Closed deals"
            changed.rooms["deals"]?.presenters = try principals("alice@example.com", "bob@example.com")
            changed.rooms["lobby"]?.subject = "New subject"
            changed.categories["sales"]?.denied = []
            try await database.chat.save(changed, previous: saved)

            let loaded = try await database.chat.loadDirectory()
            #expect(loaded.rooms["deals"] == changed.rooms["deals"])
            #expect(loaded.rooms["orchard"]?.description == "marked")
            #expect(loaded.categories["empty"]?.description == "marked")
            #expect(loaded.categories["sales"] == changed.categories["sales"])
            // The lobby row changed but its manager list did not, so the extra manager stays.
            #expect(loaded.rooms["lobby"]?.subject == "New subject")
            #expect(loaded.rooms["lobby"]?.managers == (try principals("alice@example.com", "eve@example.com")))
        }
    }

    @Test(arguments: TestBackend.all) func savingTheSameDirectoryWritesNothingButTheRevision(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, saved async throws in
            #expect(ChatDirectoryWriter.statements(for: saved, previous: saved).isEmpty)
            let before = try await database.chat.revision()
            try await database.chat.save(saved, previous: saved)
            #expect(try await database.chat.revision() == before + 1)
        }
        guard backend == .sqlite else { return }
        let (database, saved) = try await databaseWithRichDirectory()
        let changes = try await database.writer.write { db in
            let start = db.totalChangesCount
            try ChatDirectoryWriter.save(saved, previous: saved, db)
            return db.totalChangesCount - start
        }
        #expect(changes == 0)
    }

    @Test(arguments: TestBackend.all) func renamingACategoryThatRoomsUseMovesThemAlong(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, saved async throws in
            var renamed = saved
            var sales = try #require(saved.categories["sales"])
            renamed.categories["sales"] = nil
            sales.name = "Marketing"
            renamed.categories["marketing"] = sales
            renamed.rooms["lobby"]?.category = "Marketing"
            renamed.rooms["deals"]?.category = "marketing"
            // A change of case keeps the key; the rooms still name it in the old case.
            renamed.categories["äpfel"]?.name = "ÄPFEL"
            try await database.chat.save(renamed, previous: saved)

            #expect(try await database.chat.loadDirectory() == renamed)
            #expect(try await rowCount(database, "chat_categories", where: "key = 'sales'") == 0)
            #expect(try await rowCount(database, "chat_category_principals", where: "category = 'marketing'") == 6)
            #expect(try await rowCount(database, "chat_category_principals", where: "category = 'sales'") == 0)
        }
    }

    @Test(arguments: TestBackend.all) func removingARoomRemovesItsRolesInvitationsAndJoins(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, saved async throws in
            try await database.chat.addInvitation(user: "bob@example.com", room: "deals")
            try await database.chat.recordJoin(user: "alice@example.com", room: "deals")
            #expect(try await rowCount(database, "chat_room_roles", where: "room = 'deals'") == 6)

            var removed = saved
            removed.rooms["deals"] = nil
            try await database.chat.save(removed, previous: saved)

            #expect(try await database.chat.loadDirectory() == removed)
            #expect(try await rowCount(database, "chat_rooms", where: "localpart = 'deals'") == 0)
            for table in ["chat_invitations", "chat_joins"] {
                #expect(try await rowCount(database, table, where: "room = 'deals'") == 0)
            }
            #expect(try await rowCount(database, "chat_room_roles", where: "room = 'deals'") == 0)
            #expect(try await rowCount(database, "chat_room_roles", where: "room = 'lobby'") == 1)
        }
    }

    @Test(arguments: TestBackend.all) func roomsMaySwapNamesInOneSave(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, saved async throws in
            var swapped = saved
            swapped.rooms["lobby"]?.name = "DEALS"
            swapped.rooms["deals"]?.name = "Lobby"
            try await database.chat.save(swapped, previous: saved)
            #expect(try await database.chat.loadDirectory() == swapped)
        }
    }

    @Test(arguments: TestBackend.all) func removingEverythingLeavesAnEmptyDirectory(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, saved async throws in
            try await database.chat.save(ChatDirectory(), previous: saved)
            #expect(try await database.chat.loadDirectory() == ChatDirectory())
            for table in ["chat_categories", "chat_category_principals", "chat_rooms", "chat_room_roles", "chat_addins",
                          "chat_groups", "chat_group_members", "chat_admins", "chat_policy"] {
                #expect(try await rowCount(database, table) == 0, "\(table) is not empty")
            }
        }
    }

    @Test(arguments: TestBackend.all) func groupsAdministratorsPolicyAndSettingsChangeIncrementally(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, saved async throws in
            var changed = saved
            changed.groups["partners"]?.remove("yann@partner.org")
            changed.groups["partners"]?.insert("xavier@partner.org")
            changed.groups["nobody"] = nil
            changed.groups["new"] = ["dan@example.com"]
            changed.administrators = ["admin@example.com", "dan@example.com"]
            changed.serverAdministrators = ["root@example.com"]
            changed.policy.overrides["bob@example.com"] = nil
            changed.policy.overrides["carol@example.com"] = false
            changed.policy.globalEnabled = true
            changed.settings.defaultChatHistory = 500
            changed.addIns["crm"] = nil
            changed.addIns["wiki"]?.url = "https://wiki.example.com/v2"
            try await database.chat.save(changed, previous: saved)
            #expect(try await database.chat.loadDirectory() == changed)
        }
    }

    @Test(arguments: TestBackend.all) func anInvalidDirectoryIsRefusedAndNothingIsWritten(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, saved async throws in
            let revision = try await database.chat.revision()
            var invalid: [ChatDirectory] = []

            var unknownCategory = saved
            unknownCategory.rooms["lobby"]?.category = "Nowhere"
            invalid.append(unknownCategory)
            var misfiledCategory = saved
            misfiledCategory.categories["other"] = Category(name: "Different")
            invalid.append(misfiledCategory)
            var misfiledRoom = saved
            misfiledRoom.rooms["elsewhere"] = saved.rooms["lobby"]
            invalid.append(misfiledRoom)
            var sameNames = saved
            sameNames.rooms["lobby"]?.name = "deals"
            invalid.append(sameNames)
            var twice = saved
            twice.rooms["lobby"]?.members = try principals("bob@example.com", "BOB@example.com")
            invalid.append(twice)
            var unnormalised = saved
            unnormalised.categories["sales"]?.allowed = [.user("Bob@Example.com")]
            invalid.append(unnormalised)
            var controlCharacters = saved
            controlCharacters.rooms["lobby"]?.name = "Lob\u{1}by"
            invalid.append(controlCharacters)
            var huge = saved
            huge.rooms["lobby"]?.description = String(repeating: "x", count: 70_000)
            invalid.append(huge)
            var badAdmin = saved
            badAdmin.administrators.insert("")
            invalid.append(badAdmin)
            // No backend stores a NUL in text (PostgreSQL cannot): refused alike on both.
            var nulDescription = saved
            nulDescription.rooms["lobby"]?.description = "before\u{0}after"
            invalid.append(nulDescription)
            var nulMember = saved
            nulMember.groups["partners"]?.insert("eve\u{0}@partner.org")
            invalid.append(nulMember)
            var nulPrincipal = saved
            nulPrincipal.rooms["deals"]?.members.append(.user("eve\u{0}@example.com"))
            invalid.append(nulPrincipal)

            for directory in invalid {
                let kind = await storeErrorKind { try await database.chat.save(directory, previous: saved) }
                #expect(kind == .invalidArgument)
                let conditional = await storeErrorKind { _ = try await database.chat.save(directory, previous: saved, ifRevision: revision) }
                #expect(conditional == .invalidArgument)
            }
            #expect(try await database.chat.revision() == revision)
            #expect(try await database.chat.loadDirectory() == saved)
        }
    }

    @Test(arguments: TestBackend.all) func aFailingSaveRollsBackEveryWrite(backend: TestBackend) async throws {
        try await withRichDirectory(backend) { database, saved async throws in
            // Another process added a room to "empty" since `saved` was loaded: removing the
            // category now breaks its foreign key after other changes were already written.
            try await executeRaw(database, """
                INSERT INTO chat_rooms (localpart, name, category, category_key, type, privacy, invitations)
                VALUES ('late', 'Late', 'Empty', 'empty', 'normal', 'closed', 'inherit')
                """)
            var changed = saved
            changed.rooms["lobby"]?.description = "changed"
            changed.categories["empty"] = nil
            let kind = await storeErrorKind { try await database.chat.save(changed, previous: saved) }
            #expect(kind == .other)
            let loaded = try await database.chat.loadDirectory()
            #expect(loaded.rooms["lobby"] == saved.rooms["lobby"])
            #expect(loaded.categories["empty"] == saved.categories["empty"])
        }
    }

    @Test(arguments: TestBackend.all) func revisionGrowsWithSavesFromAnyNode(backend: TestBackend) async throws {
        try await withTwoNodes(backend) { server, cli async throws in
            let start = try await server.chat.revision()
            let directory = try richDirectory()
            try await cli.chat.save(directory, previous: ChatDirectory())
            let afterCLI = try await server.chat.revision()
            #expect(afterCLI > start)

            let (loaded, loadedRevision) = try await server.chat.loadDirectoryAndRevision()
            #expect(loaded == directory)
            #expect(loadedRevision == afterCLI)

            var changed = loaded
            changed.settings.participantUpdateLimit = 200
            try await server.chat.save(changed, previous: loaded)
            #expect(try await cli.chat.revision() > afterCLI)
            #expect(try await cli.chat.loadDirectory() == changed)
        }
    }
}
