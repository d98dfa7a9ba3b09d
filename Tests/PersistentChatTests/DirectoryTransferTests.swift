import Testing
@testable import PersistentChat

/// What an import adds to a directory, keeps, and refuses (`ChatDirectory.importing`).
struct DirectoryTransferTests {
    private func source() -> ChatDirectory {
        ChatDirectory(
            categories: ["eng": Category(name: "Eng", allowed: [.domain("example.com")])],
            rooms: ["design": Room(localpart: "design", name: "Design", category: "Eng", managers: [.user("a@example.com")])],
            addIns: ["wiki": AddIn(name: "Wiki", url: "https://wiki.example.com")],
            groups: ["team": ["a@example.com"]], administrators: ["a@example.com"],
            policy: ChatPolicy(globalEnabled: true, overrides: ["b@example.com": false]))
    }

    private func all(_ directory: ChatDirectory) -> DirectoryPart {
        DirectoryPart(of: directory, principals: true, categories: true, rooms: true)
    }

    @Test func anEmptyDirectoryBecomesTheSourceAndASecondImportChangesNothing() {
        let first = ChatDirectory().importing(all(source()))
        #expect(first.conflicts == [])
        #expect(first.directory == source())
        let second = first.directory.importing(all(source()))
        #expect(second.directory == first.directory && second.added == [] && second.kept == [] && second.conflicts == [])
    }

    @Test func existingEntriesKeepTheirSettingsAndGainPrincipals() {
        var target = ChatDirectory(categories: ["eng": Category(name: "Eng", description: "ours", allowed: [.domain("example.org")])],
                                   rooms: ["design": Room(localpart: "design", name: "Design", category: "Eng",
                                                          managers: [.user("z@example.org")], subject: "Ours")],
                                   groups: ["team": ["z@example.org"]])
        target.settings.defaultChatHistory = 5
        let result = target.importing(all(source()))
        #expect(result.conflicts == [])
        #expect(result.directory.categories["eng"]?.description == "ours")
        #expect(result.directory.categories["eng"]?.allowed == [Principal.domain("example.org"), .domain("example.com")])
        #expect(result.directory.rooms["design"]?.subject == "Ours")
        #expect(result.directory.rooms["design"]?.managers == [Principal.user("z@example.org"), .user("a@example.com")])
        #expect(result.directory.groups["team"] == ["z@example.org", "a@example.com"])
        #expect(result.directory.settings == ServiceSettings(), "the service settings are the imported ones")
        #expect(result.kept == ["category Eng: this service's description and switches", "room design: this service's settings"])
    }

    @Test func conflictsAreAllListed() {
        let target = ChatDirectory(
            categories: ["ops": Category(name: "Ops")],
            rooms: ["design": Room(localpart: "design", name: "Elsewhere", category: "Ops"),
                    "other": Room(localpart: "other", name: "Extra", category: "Ops")],
            addIns: ["wiki": AddIn(name: "Wiki", url: "https://other.example.com")],
            policy: ChatPolicy(overrides: ["b@example.com": true]))
        var part = all(source())
        part.categories = [:]
        part.rooms?["extra"] = Room(localpart: "extra", name: "Extra", category: "Missing", addIn: "Nope")
        let result = target.importing(part)
        #expect(result.conflicts == [
            "policy for b@example.com is off in the import but not here",
            "add-in Wiki has URL https://other.example.com here and https://wiki.example.com in the import",
            "room design is in category Eng, which exists neither here nor in the import",
            "room address design is taken here by a room in category Ops (the import's is in Eng)",
            "room extra is in category Missing, which exists neither here nor in the import",
            "room extra uses add-in Nope, which exists neither here nor in the import",
            "room extra is named Extra, a name room other has here",
        ])
    }
}
