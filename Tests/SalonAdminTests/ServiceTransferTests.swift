import Foundation
import PersistentChat
@testable import SalonAdmin
import SalonSecurity
import SalonStore
import SalonTestSupport
import Testing

@Suite("Service export and import")
struct ServiceTransferTests {
    @Test("Export, import into a fresh service, export again: the same content", arguments: TestBackend.all)
    func roundTrip(_ backend: TestBackend) async throws {
        let source = try await TransferService.make(backend)
        try await source.populate()
        let first = try await source.export()

        let target = try await TransferService.make(backend)
        let revision = try await target.database.chat.revision()
        let report = try await target.importer().importFile(at: first, dryRun: false)
        #expect(report.conflicts == [])
        #expect(report.committed)
        #expect((report.accountsAdded, report.messagesAdded, report.filesAdded, report.rosterItemsAdded) == (2, 5, 1, 1))
        #expect(report.personalMessagesAdded == 2)
        // Running servers see the change: the rooms' history to reload, alice's roster's new version.
        #expect(try await target.database.chat.loadChanges(since: revision).contentChanged == ["lobby", "plans"])
        let versions = (try await target.database.rosters.version(owner: "alice@example.com"),
                        try await target.database.rosters.version(owner: "bob@example.com"))
        #expect(versions == (1, 0))
        let second = try await target.export()
        #expect(try TransferService.contents(of: first) == TransferService.contents(of: second))

        // What was imported works: the password, the directory, the archive, the file's bytes.
        let credential = try #require(try await target.database.accounts.credential(jid: "alice@example.com", algorithm: .sha256))
        #expect(credential.verify(password: "alice-pw"))
        #expect(try await target.database.chat.loadDirectory() == source.database.chat.loadDirectory())
        let message = try #require(try await target.database.archive.message(room: "lobby", stanzaID: "lobby-1"))
        #expect(message.body == "lobby message 1 <&>")
        let personal = try await target.database.transfer.export { snapshot in
            var messages: [PersonalMessage] = []
            try await snapshot.forEachPersonalMessage(since: nil) { messages.append($0) }
            return messages
        }
        #expect(personal.map(\.stanzaID) == ["pm-alice-1", "pm-bob-1"] && personal[1].with == "alice@example.com/phone")
        #expect(try Data(contentsOf: URL(fileURLWithPath: target.directory + "/files/f1le0000000000000000000000000001")) == Data("a picture".utf8))
        #expect(try await target.database.files.file(id: "f1le0000000000000000000000000001")?.stanzaID == "lobby-2")
        // Imported bytes are kept as the server keeps uploads: the server's user's alone.
        for (path, mode) in [("/files", 0o700), ("/files/f1le0000000000000000000000000001", 0o600)] {
            let attributes = try FileManager.default.attributesOfItem(atPath: target.directory + path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == mode, "\(path)")
        }
    }

    @Test("Importing the same export twice changes nothing the second time", arguments: TestBackend.all)
    func importTwice(_ backend: TestBackend) async throws {
        let source = try await TransferService.make(backend)
        try await source.populate()
        let path = try await source.export()
        let target = try await TransferService.make(backend)
        _ = try await target.importer().importFile(at: path, dryRun: false)
        let revision = try await target.database.chat.revision()
        let again = try await target.importer().importFile(at: path, dryRun: false)
        #expect(again.conflicts == [])
        #expect((again.accountsAdded, again.rosterItemsAdded, again.messagesAdded, again.filesAdded) == (0, 0, 0, 0))
        #expect((again.accountsPresent, again.messagesPresent, again.filesPresent) == (2, 5, 1))
        #expect((again.personalMessagesAdded, again.personalMessagesPresent) == (0, 2))
        #expect(again.added == [])
        #expect(try await target.database.chat.revision() == revision)
        #expect(try await target.messageCount(room: "lobby") == 3)
    }

    @Test("A dry run reports what it would add and changes nothing", arguments: TestBackend.all)
    func dryRun(_ backend: TestBackend) async throws {
        let source = try await TransferService.make(backend)
        try await source.populate()
        let path = try await source.export()
        let target = try await TransferService.make(backend)
        let report = try await target.importer().importFile(at: path, dryRun: true)
        #expect(report.conflicts == [] && !report.committed)
        #expect(report.messagesAdded == 5 && report.added.contains("room lobby"))
        #expect(try await target.database.accounts.count(domain: nil) == 0)
        #expect(try await target.database.chat.loadDirectory().rooms.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: target.directory + "/files/f1le0000000000000000000000000001"))
    }

    @Test("Each level exports alone; principals import alone, rooms need their categories")
    func partialLevels() async throws {
        let source = try TransferService.make()
        try await source.populate()
        let principals = try await source.export(ExportOptions(levels: [.principals]))
        #expect(try Set(TransferService.contents(of: principals).keys) == [ExportFormat.manifest, ExportFormat.users, ExportFormat.principals])

        let target = try TransferService.make()
        let report = try await target.importer().importFile(at: principals, dryRun: false)
        #expect(report.conflicts == [] && report.accountsAdded == 2)
        let directory = try await target.database.chat.loadDirectory()
        #expect(directory.rooms.isEmpty && directory.groups["staff"] == ["alice@example.com"])

        // Rooms without their categories: every missing category is a conflict; nothing changes.
        let rooms = try await source.export(ExportOptions(levels: [.rooms]))
        let refused = try await target.importer().importFile(at: rooms, dryRun: false)
        #expect(refused.conflicts.count == 4 && !refused.committed)
        #expect(try await target.database.chat.loadDirectory() == directory)

        let categories = try await source.export(ExportOptions(levels: [.categories]))
        #expect(try await target.importer().importFile(at: categories, dryRun: false).conflicts == [])
        #expect(try await target.importer().importFile(at: rooms, dryRun: false).conflicts == [])
        let content = try await source.export(ExportOptions(levels: [.content]))
        #expect(try await target.importer().importFile(at: content, dryRun: false).messagesAdded == 5)
        #expect(try await target.database.chat.loadDirectory() == source.database.chat.loadDirectory())
    }

    @Test("--category keeps that category, its rooms and their content; --since keeps later content")
    func filters() async throws {
        let source = try TransferService.make()
        try await source.populate()
        let path = try await source.export(ExportOptions(categories: ["secret"], since: Date(timeIntervalSince1970: 1_780_000_030)))
        let contents = try TransferService.contents(of: path)
        let rooms = try #require(contents[ExportFormat.rooms] as? RoomsDocument)
        #expect(rooms.rooms.map(\.address) == ["plans"])
        #expect((contents[ExportFormat.categories] as? CategoriesDocument)?.categories.map(\.name) == ["Secret"])
        let messages = try #require(contents[ExportFormat.messages] as? Set<String>)
        #expect(messages.count == 1 && messages.first?.contains("\"stanzaId\":\"plans-1\"") == true)
        await #expect(throws: (any Error).self) { _ = try await source.export(ExportOptions(categories: ["nope"])) }
    }

    @Test("Conflicts are all reported and the import stops with nothing changed", arguments: TestBackend.all)
    func conflicts(_ backend: TestBackend) async throws {
        let source = try await TransferService.make(backend)
        try await source.populate()
        let path = try await source.export()

        let target = try await TransferService.make(backend)
        _ = try await target.accounts.add("carol", password: "carol-pw")
        _ = try await ChatAdministration(database: target.database).perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
            try directory.createCategory(Category(name: "Other"), by: .system)
            try directory.createAddIn(AddIn(name: "Wiki", url: "https://elsewhere.example.com"), by: .system)
            _ = try directory.createRoom(Room(localpart: "lobby", name: "Entrance", category: "Other"), by: .system)
            _ = try directory.createRoom(Room(localpart: "planning", name: "Plans", category: "Other"), by: .system)
        }
        let writer = target.database.archiveWriter(commitObserver: nil)
        _ = try await writer.append(StoredMessage(room: "planning", stanzaID: "plans-0", senderJID: "carol@example.com", nick: "Carol",
                                                  occupantID: "c", timestamp: Date(), body: "mine", stanza: "<message/>"))
        _ = try await writer.append(personal: [PersonalMessage(owner: "carol@example.com", stanzaID: "pm-alice-1", with: "dan@example.com",
                                                               outgoing: true, timestamp: Date(), body: "mine", stanza: "<message/>")])
        await writer.close()
        let before = try await target.database.chat.loadDirectory()

        let report = try await target.importer().importFile(at: path, dryRun: false)
        #expect(!report.committed)
        #expect(report.conflicts.contains { $0.contains("add-in Wiki") })
        #expect(report.conflicts.contains { $0.contains("room address lobby is taken") })
        #expect(report.conflicts.contains { $0.contains("a name room planning has here") })
        #expect(report.conflicts.contains { $0.contains("plans-0") && $0.contains("room planning") })
        #expect(report.conflicts.contains { $0.contains("pm-alice-1") && $0.contains("archived here for carol@example.com") })
        #expect(report.lines(dryRun: false).first?.hasPrefix("import stopped, nothing changed") == true)
        #expect(try await target.database.chat.loadDirectory() == before)
        #expect(try await target.database.accounts.count(domain: nil) == 1)
        #expect(try await target.messageCount(room: "lobby") == 0)
    }

    @Test("An existing room or category gains the imported roles and keeps its own settings")
    func mergeKeepsExisting() async throws {
        let source = try TransferService.make()
        try await source.populate()
        let path = try await source.export(ExportOptions(levels: [.categories, .rooms]))
        let target = try TransferService.make()
        _ = try await ChatAdministration(database: target.database).perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
            try directory.createCategory(Category(name: "General", description: "ours", allowed: [.domain("example.com")]), by: .system)
            _ = try directory.createRoom(Room(localpart: "lobby", name: "Lobby", category: "General",
                                              members: [.user("zed@example.com")], subject: "Ours"), by: .system)
        }
        let report = try await target.importer().importFile(at: path, dryRun: false)
        #expect(report.conflicts == [])
        #expect(report.kept.contains { $0.hasPrefix("room lobby") } && report.kept.contains { $0.hasPrefix("category General") })
        let lobby = try #require(try await target.database.chat.loadDirectory().rooms["lobby"])
        #expect(lobby.subject == "Ours" && lobby.members == [.user("zed@example.com")] && lobby.managers == [.user("alice@example.com")])
    }

    @Test("A failed export leaves nothing behind; a file whose bytes are gone is left out and named")
    func failedExportAndMissingBytes() async throws {
        let source = try TransferService.make()
        try await source.populate()
        let directory = URL(fileURLWithPath: try ScratchDirectory.make("exports"))
        let target = directory.appendingPathComponent("out.zip").path
        await #expect(throws: (any Error).self) {
            _ = try await source.exporter.export(to: target, options: ExportOptions(categories: ["nope"]))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [])

        try FileManager.default.removeItem(atPath: source.directory + "/files/f1le0000000000000000000000000001")
        let summary = try await source.exporter.export(to: target, options: ExportOptions())
        #expect(summary.skipped == ["file f1le0000000000000000000000000001 (cat.png) has no bytes on disk; left out"])
        #expect(summary.records(ExportFormat.files) == 0 && summary.records(ExportFormat.messages) == 5)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.zip"])
        #expect((try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let imported = try await TransferService.make().importer().importFile(at: target, dryRun: false)
        #expect(imported.conflicts == [] && imported.filesAdded == 0 && imported.messagesAdded == 5)
    }

    @Test("A source that fails midway: its error reaches the caller unchanged and nothing is kept", arguments: TestBackend.all)
    func sourceFailsMidway(_ backend: TestBackend) async throws {
        struct Unreadable: Error, Equatable {}
        let service = try await TransferService.make(backend)
        _ = try await ChatAdministration(database: service.database).perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
            try directory.createCategory(Category(name: "General", allowed: [.domain("example.com")]), by: .system)
            _ = try directory.createRoom(Room(localpart: "lobby", name: "Lobby", category: "General"), by: .system)
        }
        var input = ServiceImport(accounts: [TransferredAccount(jid: "zoe@example.com")])
        input.messages = { each in
            for index in 0..<1200 {
                try each(StoredMessage(room: "lobby", stanzaID: "m-\(index)", senderJID: "zoe@example.com", nick: "Zoe",
                                       occupantID: "z", timestamp: Date(), body: "\(index)", stanza: "<message/>"))
            }
            throw Unreadable()
        }
        await #expect(throws: Unreadable()) { _ = try await service.database.transfer.importService(input, dryRun: false) }
        #expect(try await service.messageCount(room: "lobby") == 0)
        #expect(try await service.database.accounts.exists(jid: "zoe@example.com") == false)
    }
}
