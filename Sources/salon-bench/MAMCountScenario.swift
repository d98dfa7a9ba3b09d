import ArgumentParser
import SalonClient
import XMPPCore

/// `mam-count`: proof that a server archived a room: one account joins it and asks its archive
/// (XEP-0313) for the last message with the total count (XEP-0059). Prints the count, or the
/// messages returned when the server gives no count.
struct MAMCountScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mam-count", abstract: "Asks a room's archive (MAM) how many messages it holds.")

    @OptionGroup var target: Target
    @OptionGroup var room: RoomOptions
    @Option(help: "The account that asks (it joins the room first).") var account = 1

    static let mam = "urn:xmpp:mam:2"
    static let rsm = "http://jabber.org/protocol/rsm"

    func run() async throws {
        let roomJID = room.jid(on: target)
        let client = try await target.login(account: account)
        defer { Task { await client.close() } }
        try await RoomJoin.join(client, room: roomJID, nick: "archive-check")
        let id = client.nextID()
        let set = XMLElement("set", namespace: Self.rsm, children: [
            .element(XMLElement("max", namespace: Self.rsm, children: [.text("1")])), .element(XMLElement("before", namespace: Self.rsm)),
        ])
        let query = XMLElement("query", namespace: Self.mam, attributes: ["queryid": id], children: [.element(set)])
        let answer = try await client.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "set", "to": roomJID, "id": id],
                                                         children: [.element(query)]))
        guard answer[attribute: "type"] == "result" else { throw BenchError("the archive query was refused: \(answer)") }
        let returned = client.unclaimed.filter { $0.name == "message" && $0.child("result", namespace: Self.mam) != nil }.count
        let count = answer.child("fin", namespace: Self.mam)?.child("set", namespace: Self.rsm)?
            .child("count", namespace: Self.rsm).flatMap { Int($0.text) }
        let archived = count ?? returned
        Report.print("mam-count", Report.format("%@: %d messages archived%@", roomJID, archived, count == nil ? " (no count given)" : ""),
                     [("archived", Double(archived)), ("returned", Double(returned))])
        if archived == 0 { throw BenchError("\(roomJID) archived nothing") }
    }
}
