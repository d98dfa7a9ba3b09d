import XMPPCore

/// A room's XEP-0492 notification setting, as the user keeps it in the room's XEP-0402
/// bookmark (`<extensions><notify xmlns='urn:xmpp:notification-settings:1'>`): whether a
/// message in the room wakes the user's phone. Without one, only mentions do (XEP-0492's
/// default for public rooms, and what mod_cloud_notify does for every room).
enum RoomNotificationSetting: Equatable {
    case always, onMention, never

    static let ns = "urn:xmpp:notification-settings:1"

    /// The setting in a bookmark's `<conference/>` payload for a push (phone) device: the most
    /// specific of client/phone, client, then the fallback without attributes (XEP-0492 §4).
    init(bookmark: XMLElement?) {
        self = .onMention
        guard let notify = bookmark?.child("extensions", namespace: PersonalStorage.bookmarks)?.child("notify", namespace: Self.ns) else { return }
        let choices = notify.elements.compactMap { element -> (rank: Int, setting: RoomNotificationSetting)? in
            let setting: RoomNotificationSetting
            switch element.name {
            case "always": setting = .always
            case "on-mention": setting = .onMention
            case "never": setting = .never
            default: return nil
            }
            switch (element[attribute: "identity-category"], element[attribute: "identity-type"]) {
            case ("client", "phone"): return (0, setting)
            case ("client", nil): return (1, setting)
            case (nil, nil): return (2, setting)
            default: return nil
            }
        }
        if let best = choices.min(by: { $0.rank < $1.rank }) { self = best.setting }
    }

    /// Whether a message with `body`, sent in the room by `sender`, wakes the user known there
    /// as `nick` (nil when not known: only `always` wakes then). The user's own posts never do.
    func wakes(body: String?, sender: String?, nick: String?) -> Bool {
        if let nick, sender == nick { return false }
        switch self {
        case .always: return true
        case .never: return false
        case .onMention:
            guard let nick, let body else { return false }
            return ClientStateUrgency.mentions(body, nick: nick)
        }
    }
}
