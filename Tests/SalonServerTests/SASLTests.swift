@testable import SalonServer
import Testing

@Suite("SASL on the wire")
struct SASLTests {
    @Test("SASL payloads: Base64 with surrounding XML whitespace ignored, '=' for empty, anything else refused")
    func saslPayloadDecoding() {
        #expect(SASLExchange.decode("AGJvYgBwYXNz") == Array("\0bob\0pass".utf8))
        #expect(SASLExchange.decode(" \n\tAGJvYgBwYXNz\r\n ") == Array("\0bob\0pass".utf8))
        #expect(SASLExchange.decode("=") == [])
        #expect(SASLExchange.decode("  =\n") == [])
        #expect(SASLExchange.decode("") == [])
        #expect(SASLExchange.decode("AGJv YgBw") == nil)
        #expect(SASLExchange.decode("\u{00A0}AGJvYgBwYXNz") == nil)
        #expect(SASLExchange.decode("not base64!") == nil)
    }

    @Test("Mechanisms offered depend on TLS and channel binding")
    func mechanismsOffered() {
        #expect(SASLMechanism.offered(tls: false, channelBinding: false).map(\.rawValue) == ["SCRAM-SHA-256", "SCRAM-SHA-1"])
        #expect(SASLMechanism.offered(tls: true, channelBinding: false).map(\.rawValue) == ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"])
        #expect(SASLMechanism.offered(tls: true, channelBinding: true).count == 5)
    }
}
