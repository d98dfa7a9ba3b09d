import Foundation
@testable import SalonServer
import Testing
import XMPPCore

@Suite("Room history")
struct RoomHistoryTests {
    @Test("Room history keeps the newest messages in order and counts maxchars in XML characters")
    func roomHistory() throws {
        var history = RoomHistory(capacity: 3)
        let now = Date()
        var lengths: [Int] = []
        for n in 1...5 {
            var message = XMLElement("message", namespace: NS.client, attributes: ["type": "groupchat"])
            var body = XMLElement("body", namespace: NS.client)
            body.append(text: "é\(n)")  // two bytes of UTF-8, one character
            message.append(body)
            let spliced = SplicedStanza(message, parentNamespace: NS.client)
            let characters = RoomHistory.characters(in: spliced)
            #expect(characters == message.serialized(parentNamespace: NS.client).unicodeScalars.count)
            lengths.append(characters)
            history.append(message, characters: characters, at: now)
        }
        let texts = { (entries: [RoomHistory.Entry]) in entries.map { $0.message.child("body", namespace: NS.client)?.text } }
        #expect(texts(history.select(nil, now: now)) == ["é3", "é4", "é5"])
        let two = XMLElement("history", namespace: MUC.ns, attributes: ["maxchars": "\(lengths[3] + lengths[4])"])
        #expect(texts(history.select(two, now: now)) == ["é4", "é5"])
        let short = XMLElement("history", namespace: MUC.ns, attributes: ["maxchars": "\(lengths[4] - 1)"])
        #expect(history.select(short, now: now).isEmpty)
        history.setCapacity(1)
        #expect(texts(history.select(nil, now: now)) == ["é5"])
    }
}
