import XMPPCore

/// XEP-0049 private XML storage.
enum PersonalStorage {
    static let privateXML = "jabber:iq:private"
}
