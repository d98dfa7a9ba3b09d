import Foundation
import SalonClient
@testable import SalonServer
import XMPPCore

extension XMPPClient {
    /// Creates `localpart` by joining it and submitting the configuration form (XEP-0045 §10.1);
    /// returns the join's answer when it is an error, else the form submission's answer.
    func createRoomByJoining(_ localpart: String, name: String, category: String = "Eng") async throws -> XMLElement {
        let joined = try await join(localpart, as: "Creator")
        guard joined[attribute: "type"] != "error" else { return joined }
        let submit = DataForm(type: .submit, formType: "http://jabber.org/protocol/muc#roomconfig", fields: [
            DataForm.Field("muc#roomconfig_roomname", values: [name]),
            DataForm.Field("urn:salon:persistent-chat#category", values: [category]),
            DataForm.Field("urn:salon:persistent-chat#privacy", values: ["open"]),
        ])
        return try await query("\(localpart)@\(chatDomain)", "http://jabber.org/protocol/muc#owner", type: "set", [submit.element])
    }
}

extension TestServer {
    var muc: MUCService { server.context!.muc }
}
