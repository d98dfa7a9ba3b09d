import Testing
@testable import PersistentChat

/// The written form of principals (design §1).
struct PrincipalTests {
    @Test(arguments: [
        ("alice@example.com", Principal.user("alice@example.com")),
        ("  Alice@Example.COM\t", .user("alice@example.com")),
        ("group:Engineering", .group("engineering")),
        ("GROUP:Eng Team", .group("eng team")),
        ("Example.com", .domain("example.com")),
    ])
    func parsesTheWrittenForm(_ text: String, _ expected: Principal) throws {
        #expect(try Principal(text) == expected)
        #expect(try Principal(expected.description) == expected)
    }

    @Test(arguments: [
        ("bob", Principal.user("bob@salon.test")),
        ("Bob", .user("bob@salon.test")),
        ("bob@elsewhere.example", .user("bob@elsewhere.example")),
        ("domain:Example.com", .domain("example.com")),
        ("domain:localhost", .domain("localhost")),
        ("example.com", .domain("example.com")),
        ("Salon.test", .domain("salon.test")),
        ("group:eng", .group("eng")),
    ])
    func aBareNameIsAUserOfTheOperatorsDomain(_ text: String, _ expected: Principal) throws {
        #expect(try Principal(text, userDomain: "salon.test") == expected)
    }

    @Test(arguments: ["domain:", "domain:a b", "domain:a@b", "b c"])
    func refusesMalformedPrincipalsWithAUserDomain(_ text: String) {
        expectRuleError(.invalid) { () throws(ChatRuleError) in try Principal(text, userDomain: "salon.test") }
    }

    @Test(arguments: ["", "   ", "group:", "domain:", "@example.com", "a@", "a@b@c", "a@b/c", "a b@example.com", "exa mple.com",
                      ".example.com", "example.com.", "group:" + String(repeating: "g", count: 257), "host:5222", "ex\u{0}ample.com"])
    func refusesMalformedPrincipals(_ text: String) {
        expectRuleError(.invalid) { () throws(ChatRuleError) in try Principal(text) }
    }

    @Test func errorMessagesQuoteBoundedInput() {
        let error = expectRuleError(.invalid) { () throws(ChatRuleError) in try Principal(String(repeating: "x", count: 5000) + " y") }
        #expect((error?.message.count ?? 0) < 400)
    }
}
