import Testing
import SalonSecurity

@Suite struct Base64Tests {
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                      ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base64.encode(plain.bytes) == encoded)
        #expect(Base64.decode(encoded) == plain.bytes)
    }

    @Test func roundTripsAllByteValues() {
        let bytes = (0...255).map { UInt8($0) }
        for length in 0...bytes.count {
            let prefix = Array(bytes.prefix(length))
            #expect(Base64.decode(Base64.encode(prefix)) == prefix)
        }
        #expect(Base64.encode([0xFB, 0xFF]) == "+/8=")
    }

    @Test(arguments: [
        "Zg", "Zg=", "Zm9", // missing padding
        "Zg===", "====", "=Zg=", "Z===", // misplaced or excess padding
        "Zm=v", "Zg==Zg==", // padding inside
        "Zm9v\n", " Zm9v", "Zm 9v", // whitespace
        "Zm9-", "Zm9_", "Zm9*", // URL-safe and foreign characters
        "Zh==", "Zm9=", // non-zero bits under the padding
        "Zm9vé===",
    ])
    func rejectsNonCanonicalInput(text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test func decodesBytes() {
        #expect(Base64.decode(bytes: "Zm9v".bytes[...]) == "foo".bytes)
        #expect(Base64.decode(bytes: "Zm9".bytes) == nil)
    }
}
