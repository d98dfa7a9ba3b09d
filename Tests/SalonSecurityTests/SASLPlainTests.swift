import Testing
import SalonSecurity

@Suite struct SASLPlainTests {
    @Test func parsesWithoutAuthzid() throws {
        let parsed = try SASLPlain.parse([0] + "juliet".bytes + [0] + "r0m30".bytes)
        #expect(parsed.authzid == nil)
        #expect(parsed.username == "juliet")
        #expect(parsed.password == "r0m30")
    }

    @Test func parsesWithAuthzid() throws {
        let parsed = try SASLPlain.parse(SASLPlain.message(authzid: "admin@example.com", username: "tim", password: "tanstaaftanstaaf"))
        #expect(parsed.authzid == "admin@example.com")
        #expect(parsed.username == "tim")
        #expect(parsed.password == "tanstaaftanstaaf")
    }

    @Test func keepsUnicodeAndSpaces() throws {
        let parsed = try SASLPlain.parse([0] + "jürgen".bytes + [0] + "pass word ✓".bytes)
        #expect(parsed.username == "jürgen")
        #expect(parsed.password == "pass word ✓")
    }

    static let malformed: [[UInt8]] = {
        var messages: [[UInt8]] = []
        messages.append([UInt8]())
        messages.append([0])
        messages.append([0, 0])
        messages.append("user".bytes + [0] + "pass".bytes) // one separator
        messages.append([0] + "user".bytes + [0]) // empty password
        messages.append([0, 0] + "pass".bytes) // empty username
        messages.append([0] + "user".bytes + [0] + "pass".bytes + [0]) // trailing NUL
        messages.append([0] + "user".bytes + [0] + "pa".bytes + [0] + "ss".bytes) // extra NUL
        messages.append([0] + [0xC3, 0x28] + [0] + "pass".bytes) // invalid UTF-8 username
        messages.append([0] + "user".bytes + [0] + [0xFF]) // invalid UTF-8 password
        messages.append([0xFE] + [0] + "user".bytes + [0] + "pass".bytes) // invalid UTF-8 authzid
        messages.append([0] + "user".bytes + [0] + [UInt8](repeating: 0x61, count: 4000)) // too long
        return messages
    }()

    @Test(arguments: malformed)
    func rejectsMalformedMessages(message: [UInt8]) {
        #expect(throws: SASLFailure.malformedRequest) { try SASLPlain.parse(message) }
    }

    @Test func credentialsVerifyPlainPasswords() {
        let credentials = SCRAMCredentials.derive(password: "pencil", algorithm: .sha256, iterations: 4096)
        #expect(credentials.verify(password: "pencil"))
        #expect(!credentials.verify(password: "pencil "))
        #expect(!credentials.verify(password: ""))
    }
}
