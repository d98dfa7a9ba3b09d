import Testing
@testable import PersistentChat

/// The phrases the server logs for a change picked up from the CLI.
struct DirectoryChangesTests {
    @Test func namesWhatWasCreatedChangedAndRemoved() {
        let eng = Category(name: "Eng")
        let before = ChatDirectory(categories: ["eng": eng], rooms: [
            "design": Room(localpart: "design", name: "Design", category: "Eng"),
            "old": Room(localpart: "old", name: "Old", category: "Eng"),
        ])
        var after = before
        after.rooms["design"]?.name = "Design Reviews"
        after.rooms["old"] = nil
        after.rooms["new"] = Room(localpart: "new", name: "New", category: "Eng")
        after.administrators.insert("root@example.com")
        #expect(after.changes(since: before) == [
            "room changed: design", "room created: new", "room removed: old", "administrator added: root@example.com",
        ])
        #expect(before.changes(since: before).isEmpty)
    }
}
