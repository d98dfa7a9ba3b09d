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

    @Test(arguments: ["", "   ", "group:", "@example.com", "a@", "a@b@c", "a@b/c", "a b@example.com", "exa mple.com",
                      ".example.com", "example.com.", "group:" + String(repeating: "g", count: 257), "host:5222", "ex\u{0}ample.com"])
    func refusesMalformedPrincipals(_ text: String) {
        expectRuleError(.invalid) { () throws(ChatRuleError) in try Principal(text) }
    }

    @Test func errorMessagesQuoteBoundedInput() {
        let error = expectRuleError(.invalid) { () throws(ChatRuleError) in try Principal(String(repeating: "x", count: 5000) + " y") }
        #expect((error?.message.count ?? 0) < 400)
    }
}
