import Foundation
@testable import SalonStore
import Testing

@Suite("Stanza-ids")
struct StanzaIDTests {
    @Test("Formatted exactly as UUID.uuidString, time-ordered, unique")
    func format() throws {
        for _ in 0..<100 {
            let bytes = (0..<16).map { _ in UInt8.random(in: 0...255) }
            let uuid = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                                   bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
            #expect(StoredMessage.uuidString(bytes) == uuid.uuidString)
        }
        let earlier = StoredMessage.newStanzaID(at: Date(timeIntervalSince1970: 1_800_000_000))
        let later = StoredMessage.newStanzaID(at: Date(timeIntervalSince1970: 1_800_000_001))
        #expect(earlier < later && UUID(uuidString: later) != nil)
        #expect(Set((0..<1000).map { _ in StoredMessage.newStanzaID() }).count == 1000)
    }
}
