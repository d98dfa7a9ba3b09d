import Foundation
import Testing
import XMPPCore

@Suite("JID")
struct JIDTests {
    /// Input, then expected localpart, domainpart, resourcepart.
    static let valid: [(String, String?, String, String?)] = [
        ("example.com", nil, "example.com", nil),
        ("juliet@example.com", "juliet", "example.com", nil),
        ("juliet@example.com/foo", "juliet", "example.com", "foo"),
        ("juliet@example.com/foo bar", "juliet", "example.com", "foo bar"),
        ("juliet@example.com/foo@bar", "juliet", "example.com", "foo@bar"),
        ("juliet@example.com/foo/bar", "juliet", "example.com", "foo/bar"),
        ("example.com/foo@bar", nil, "example.com", "foo@bar"),
        ("Juliet@Example.COM/Balcony", "juliet", "example.com", "Balcony"),
        ("example.com.", nil, "example.com", nil),
        ("juliet@example.com./r", "juliet", "example.com", "r"),
        ("juliet@[::1]", "juliet", "[::1]", nil),
        ("[2001:DB8::1]/r", nil, "[2001:db8::1]", "r"),
        ("[::ffff:192.0.2.1]", nil, "[::ffff:192.0.2.1]", nil),
        ("[1:2:3:4:5:6:7:8]", nil, "[1:2:3:4:5:6:7:8]", nil),
        ("192.0.2.1", nil, "192.0.2.1", nil),
        ("conference_1.example-2.com", nil, "conference_1.example-2.com", nil),
        ("localhost", nil, "localhost", nil),
        ("ÉLODIE@example.com", "élodie", "example.com", nil),
        ("e\u{301}lodie@example.com", "élodie", "example.com", nil),
        ("ΣΠ@Exämple.com", "σπ", "exämple.com", nil),
        ("user@例え。テスト", "user", "例え.テスト", nil),
        ("user@example.com/Re\u{301}sumé", "user", "example.com", "Résumé"),
        ("user@example.com/a\u{A0}b\u{3000}c", "user", "example.com", "a b c"),
        ("user@example.com/😀 ♥", "user", "example.com", "😀 ♥"),
        ("user+tag.x_y-z@example.com", "user+tag.x_y-z", "example.com", nil),
        ("\u{212B}ngstr\u{F6}m@example.com", "ångström", "example.com", nil),
    ]

    @Test(arguments: valid.indices)
    func parsesAndNormalises(_ index: Int) throws {
        let (input, local, domain, resource) = Self.valid[index]
        let jid = try JID(input)
        #expect(jid.localpart == local, "\(input)")
        #expect(jid.domainpart == domain, "\(input)")
        #expect(jid.resourcepart == resource, "\(input)")
        #expect(try JID(jid.description) == jid, "canonical form re-parses to the same JID")
        #expect(try JID(localpart: local, domainpart: domain, resourcepart: resource) == jid)
    }

    static let invalid: [(String, JIDError)] = [
        ("", .empty),
        ("@example.com", .invalidLocalpart),
        ("juliet@", .invalidDomainpart),
        ("juliet@/r", .invalidDomainpart),
        ("example.com/", .invalidResourcepart),
        ("/r", .invalidDomainpart),
        ("@", .invalidLocalpart),
        ("jul iet@example.com", .invalidLocalpart),
        ("jul\"iet@example.com", .invalidLocalpart),
        ("jul&iet@example.com", .invalidLocalpart),
        ("jul'iet@example.com", .invalidLocalpart),
        ("jul:iet@example.com", .invalidLocalpart),
        ("jul<iet@example.com", .invalidLocalpart),
        ("jul>iet@example.com", .invalidLocalpart),
        ("jul\u{0}iet@example.com", .invalidLocalpart),
        ("jul\u{7F}iet@example.com", .invalidLocalpart),
        ("jul\u{A0}iet@example.com", .invalidLocalpart),
        ("jul\u{2003}iet@example.com", .invalidLocalpart),
        ("jul\u{85}iet@example.com", .invalidLocalpart),
        ("a@b@example.com", .invalidDomainpart),
        ("exa mple.com", .invalidDomainpart),
        ("example..com", .invalidDomainpart),
        (".example.com", .invalidDomainpart),
        ("example.com..", .invalidDomainpart),
        (".", .invalidDomainpart),
        ("exam\tple.com", .invalidDomainpart),
        ("example.com:5222", .invalidDomainpart),
        ("exa<mple.com", .invalidDomainpart),
        ("ex\u{3000}ample.com", .invalidDomainpart),
        ("ex\u{1}ample.com", .invalidDomainpart),
        ("[::1", .invalidDomainpart),
        ("[]", .invalidDomainpart),
        ("[1::2::3]", .invalidDomainpart),
        ("[12345::]", .invalidDomainpart),
        ("[1:2:3:4:5:6:7]", .invalidDomainpart),
        ("[1:2:3:4:5:6:7:8:9]", .invalidDomainpart),
        ("[::1.2.3.256]", .invalidDomainpart),
        ("[:::]", .invalidDomainpart),
        ("[g::1]", .invalidDomainpart),
        ("example.com/res\u{0}", .invalidResourcepart),
        ("example.com/res\u{1B}", .invalidResourcepart),
        ("example.com/res\u{FFFF}", .invalidResourcepart),
        ("example.com/res\u{9F}", .invalidResourcepart),
    ]

    @Test(arguments: invalid.indices)
    func rejects(_ index: Int) {
        let (input, expected) = Self.invalid[index]
        #expect(throws: expected, "\(input.debugDescription)") { try JID(input) }
    }

    @Test func partLengthLimits() throws {
        let max = String(repeating: "a", count: 1023)
        let over = max + "a"
        #expect(try JID("\(max)@example.com").localpart == max)
        #expect(try JID("\(max)@\(max)/\(max)").description.utf8.count == 3071)
        #expect(throws: JIDError.tooLong) { try JID("\(over)@example.com") }
        #expect(throws: JIDError.tooLong) { try JID(over) }
        #expect(throws: JIDError.tooLong) { try JID("example.com/\(over)") }
        #expect(throws: JIDError.tooLong) { try JID(String(repeating: "a", count: 100_000)) }
        // Limits apply to UTF-8 bytes, not characters: 512 two-byte characters are 1024 bytes.
        #expect(throws: JIDError.tooLong) { try JID("example.com/" + String(repeating: "é", count: 512)) }
        #expect(try JID("example.com/" + String(repeating: "é", count: 511)).resourcepart?.utf8.count == 1022)
        // Measured after normalisation: 1023 bytes of decomposed text compose to fewer.
        let decomposed = String(repeating: "e\u{301}", count: 341)
        #expect(try JID("example.com/" + decomposed).resourcepart == String(repeating: "é", count: 341))
    }

    @Test func partsInitialiserValidates() throws {
        #expect(try JID(localpart: "Romeo", domainpart: "Example.net", resourcepart: nil).description == "romeo@example.net")
        #expect(throws: JIDError.invalidLocalpart) { try JID(localpart: "", domainpart: "example.net", resourcepart: nil) }
        #expect(throws: JIDError.invalidLocalpart) { try JID(localpart: "a/b", domainpart: "example.net", resourcepart: nil) }
        #expect(throws: JIDError.invalidDomainpart) { try JID(localpart: nil, domainpart: "a@b", resourcepart: nil) }
        #expect(throws: JIDError.invalidDomainpart) { try JID(localpart: nil, domainpart: "a/b", resourcepart: nil) }
        #expect(throws: JIDError.invalidResourcepart) { try JID(localpart: nil, domainpart: "a", resourcepart: "") }
    }

    @Test func derivedJIDs() throws {
        let full = try JID("romeo@example.net/orchard")
        #expect(full.resourcepart == "orchard")
        #expect(full.bare == (try JID("romeo@example.net")))
        #expect(full.bare.resourcepart == nil)
        #expect(full.domain == (try JID("example.net")))
        #expect(try full.with(resource: "garden").description == "romeo@example.net/garden")
        #expect(try full.with(resource: nil) == full.bare)
        #expect(throws: JIDError.invalidResourcepart) { try full.with(resource: "bad\u{7}") }
    }

    @Test func equalityHashingAndOrder() throws {
        let a = try JID("Romeo@Example.net/Orchard")
        let b = try JID("romeo@example.net/Orchard")
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(try JID("romeo@example.net/orchard") != a)
        let sorted = try ["b@a.com", "a.com", "a@a.com/r", "a@a.com", "a@b.com"].map { try JID($0) }.sorted()
        #expect(sorted.map(\.description) == ["a.com", "a@a.com", "a@a.com/r", "b@a.com", "a@b.com"])
    }

    @Test func codableUsesTheStringForm() throws {
        let jid = try JID("juliet@example.com/balcony")
        let data = try JSONEncoder().encode([jid])
        #expect(String(decoding: data, as: UTF8.self) == #"["juliet@example.com\/balcony"]"#)
        #expect(try JSONDecoder().decode([JID].self, from: data) == [jid])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([JID].self, from: Data(#"["@x"]"#.utf8)) }
    }

    @Test func errorMapsToJidMalformed() {
        #expect(JIDError.invalidLocalpart.stanzaError.condition == .jidMalformed)
    }
}
