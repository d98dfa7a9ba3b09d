import PersistentChat
import SalonStore
import XMPPCore

/// Writes journal events in persistent chat's compliance XML shape (design §6;
/// `Schemas/salon-compliance.xsd`): one `<Conversation>` per room, in journal order, events of no
/// one room (searches, settings) in a conversation whose channel is the chat service itself.
struct ComplianceXMLAdapter {
    let context: ComplianceExportContext

    /// The document for `events` (already grouped as the caller wants them per file).
    func document(_ events: [ComplianceRecord]) -> String {
        var order: [String] = []
        var byRoom: [String: [ComplianceRecord]] = [:]
        for event in events {
            if byRoom[event.room] == nil { order.append(event.room) }
            byRoom[event.room, default: []].append(event)
        }
        var root = XMLElement("Conversations", namespace: "")
        for room in order { root.append(conversation(room, byRoom[room] ?? [])) }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + root.serialized() + "\n"
    }

    private func conversation(_ room: String, _ events: [ComplianceRecord]) -> XMLElement {
        var conversation = XMLElement("Conversation", namespace: "")
        conversation.append(channel(room))
        let messages = events.map(message)
        if let first = messages.first {
            var firstMessage = first
            firstMessage.name = "FirstMessage"
            conversation.append(firstMessage)
        }
        conversation.append(XMLElement("Messages", namespace: "", children: messages.map { .element($0) }))
        if let start = events.first?.time, let end = events.last?.time {
            conversation.append(Self.time("StartTimeUTC", start))
            conversation.append(Self.time("EndTimeUTC", end))
        }
        return conversation
    }

    private func channel(_ room: String) -> XMLElement {
        guard !room.isEmpty else {
            return Self.element("Channel", [("uri", "xmpp:\(context.chatDomain)"), ("name", context.chatDomain)])
        }
        let details = context.directory?.rooms[room]
        var attributes = [("uri", "xmpp:\(room)@\(context.chatDomain)"), ("name", details?.name ?? room)]
        if context.settings.addChatRoomDetails, let details {
            attributes += [("description", details.description),
                           ("category", context.directory?.categories[details.category]?.name ?? details.category),
                           ("type", "\(details.type)"), ("privacy", "\(details.privacy)")]
        }
        return Self.element("Channel", attributes)
    }

    private func message(_ event: ComplianceRecord) -> XMLElement {
        let stanza = event.type == ComplianceEventType.chat.rawValue ? ComplianceContent.stanza(event.payload) : nil
        var attributes = [("type", event.type), ("content", content(event, stanza: stanza)), ("id", "\(event.seq)")]
        if let stanzaID = stanza?.child("stanza-id", namespace: "urn:xmpp:sid:0")?[attribute: "id"] {
            attributes.append(("stanzaId", stanzaID))
        }
        var message = Self.element("Message", attributes)
        var sender = [("UserName", event.actorBare), ("uri", "xmpp:\(event.actorFull.isEmpty ? event.actorBare : event.actorFull)")]
        if context.settings.addUserDetails {
            let domain = event.actorBare.split(separator: "@").last.map(String.init) ?? ""
            sender += [("id", event.actorBare), ("email", event.actorBare.contains("@") ? event.actorBare : ""),
                       ("internal", domain == context.serverDomain ? "true" : "false")]
        }
        message.append(Self.element("Sender", sender))
        message.append(Self.time("DateTimeUTC", event.time))
        message.append(Self.element("Hash", [("value", event.hash), ("previous", event.prevHash)]))
        return message
    }

    /// The text a message shows: a post's body, nothing for JOIN and PART, the payload otherwise.
    private func content(_ event: ComplianceRecord, stanza: XMLElement?) -> String {
        switch event.type {
        case ComplianceEventType.chat.rawValue: stanza?.child("body", namespace: NS.client)?.text ?? ""
        case ComplianceEventType.join.rawValue, ComplianceEventType.part.rawValue: ""
        default: event.payload
        }
    }

    static func time(_ name: String, _ milliseconds: Int64) -> XMLElement {
        let time = ComplianceTime(milliseconds: milliseconds)
        return element(name, [("since1970", "\(milliseconds)"), ("string", time.iso8601), ("long", "\(time.ticks)")])
    }

    static func element(_ name: String, _ attributes: [(String, String)]) -> XMLElement {
        XMLElement(name, namespace: "", attributeList: attributes.map { XMLAttribute(name: $0.0, value: $0.1) })
    }
}

/// What the exporter reads out of a CHAT event's stanza.
enum ComplianceContent {
    static func stanza(_ payload: String) -> XMLElement? {
        try? XMLStreamParser.parseStanza(payload, namespace: NS.client, limits: XMLStreamLimits(maxStanzaBytes: 4 << 20, maxDepth: 64))
    }
}
