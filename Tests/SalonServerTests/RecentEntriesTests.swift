@testable import SalonServer
import Testing

/// The bounded memory of past events: the most recent insertions stay, the oldest go first.
struct RecentEntriesTests {
    @Test func keepsTheMostRecentAndForgetsTheOldestFirst() {
        var entries = RecentEntries<String, Int>(capacity: 3)
        for (index, key) in ["a", "b", "c", "d"].enumerated() { entries.insert(index, for: key) }
        #expect(entries["a"] == nil)
        #expect(entries["b"] == 1 && entries["c"] == 2 && entries["d"] == 3)
        // Updating a key keeps its place: it is still the oldest of those kept.
        entries.insert(10, for: "b")
        entries.insert(4, for: "e")
        #expect(entries["b"] == nil)
        #expect(entries["c"] == 2 && entries["d"] == 3 && entries["e"] == 4)
    }
}
