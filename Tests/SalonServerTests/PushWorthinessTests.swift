@testable import SalonServer
import Testing
import XMPPCore

/// What wakes a device, and a room's XEP-0492 setting, without a socket.
@Suite struct PushWorthinessTests {
    private func parse(_ xml: String) throws -> XMLElement {
        try XMLStreamParser.parseStanza(xml, namespace: NS.client)
    }

    @Test func messagesThatWakeAndThoseThatDoNot() throws {
        let wakes = [
            "<message type='chat' from='b@x/r'><body>hi</body></message>",
            "<message from='b@x/r'><encrypted xmlns='eu.siacs.conversations.axolotl'/></message>",
            "<message from='b@x/r'><propose xmlns='urn:xmpp:jingle-message:0' id='c'/></message>",
            "<message from='b@x/r'><x xmlns='jabber:x:conference' jid='r@chat.x'/></message>",
            "<message from='r@chat.x'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='b@x'/></x></message>",
            "<message><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='b@x/r'><body>copy</body></message></forwarded></received></message>",
        ]
        let silent = [
            "<message type='chat' from='b@x/r'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>",
            "<message type='chat' from='b@x/r'><body></body></message>",
            "<message type='error' from='b@x/r'><body>bounced</body></message>",
            "<message type='headline' from='b@x'><body>news</body></message>",
            "<message from='b@x/r'><received xmlns='urn:xmpp:receipts' id='1'/></message>",
            "<message><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'><body>mine</body></message></forwarded></sent></message>",
            "<presence from='b@x/r'/>",
        ]
        for xml in wakes { #expect(PushWorthiness.subject(of: try parse(xml)) != nil, "\(xml)") }
        for xml in silent { #expect(PushWorthiness.subject(of: try parse(xml)) == nil, "\(xml)") }
        let carbon = try #require(PushWorthiness.subject(of: try parse(wakes[5])))
        #expect(PushWorthiness.body(of: carbon) == "copy")
    }

    @Test func theMostSpecificRoomSettingForAPhoneApplies() throws {
        func setting(_ notify: String) throws -> RoomNotificationSetting {
            RoomNotificationSetting(bookmark: try parse(
                "<conference xmlns='urn:xmpp:bookmarks:1'><extensions><notify xmlns='urn:xmpp:notification-settings:1'>\(notify)</notify></extensions></conference>"))
        }
        #expect(RoomNotificationSetting(bookmark: nil) == .onMention)
        #expect(try setting("<never/>") == .never)
        #expect(try setting("<always/><never identity-category='client'/>") == .never)
        #expect(try setting("<never identity-category='client' identity-type='pc'/><always/>") == .always)
        #expect(try setting("<never identity-category='client'/><always identity-category='client' identity-type='phone'/>") == .always)
        #expect(try setting("<on-mention identity-category='gateway'/>") == .onMention)

        #expect(RoomNotificationSetting.onMention.wakes(body: "ping Alice", sender: "bob", nick: "alice"))
        #expect(!RoomNotificationSetting.onMention.wakes(body: "hello", sender: "bob", nick: "alice"))
        #expect(!RoomNotificationSetting.onMention.wakes(body: "alice", sender: "bob", nick: nil))
        #expect(!RoomNotificationSetting.always.wakes(body: "mine", sender: "alice", nick: "alice"))
        #expect(RoomNotificationSetting.always.wakes(body: nil, sender: "bob", nick: nil))
        #expect(!RoomNotificationSetting.never.wakes(body: "alice!", sender: "bob", nick: "alice"))
    }
}
