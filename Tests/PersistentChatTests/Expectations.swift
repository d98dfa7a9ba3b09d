import Testing
@testable import PersistentChat

/// Runs `body`, which must fail with a `ChatRuleError` of `kind`; returns the error.
@discardableResult
func expectRuleError<T>(_ kind: ChatRuleError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
                        _ body: () throws(ChatRuleError) -> T) -> ChatRuleError? {
    do {
        let value = try body()
        Issue.record("Expected a \(kind) error, got \(value).", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.kind == kind, "\(error.message)", sourceLocation: sourceLocation)
        return error
    }
}

/// A small organisation most tests start from: users on example.com and other.org, a few groups,
/// one administrator, and a category "Eng" that allows example.com.
enum Sample {
    static let alice = "alice@example.com"
    static let bob = "bob@example.com"
    static let carol = "carol@example.com"
    static let dave = "dave@other.org"
    static let admin = "admin@example.com"

    static func directory() -> ChatDirectory {
        ChatDirectory(
            categories: ["eng": Category(name: "Eng", allowed: [.domain("example.com")], creators: [.user(alice)], invitations: true)],
            groups: ["team": [alice, bob], "contractors": [carol], "mixed": [bob, dave]],
            administrators: [admin])
    }

    static func room(_ localpart: String = "general", name: String = "General", category: String = "Eng",
                     type: RoomType = .normal, privacy: RoomPrivacy = .closed,
                     members: [Principal] = [], managers: [Principal] = [], presenters: [Principal] = []) -> Room {
        Room(localpart: localpart, name: name, category: category, type: type, privacy: privacy,
             members: members, managers: managers, presenters: presenters)
    }
}
