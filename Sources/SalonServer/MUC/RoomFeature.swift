import PersistentChat
import XMPPCore

/// What a room behaviour sees of its room.
struct RoomContext {
    let room: Room
    let category: Category?
    let directory: ChatDirectory
    let jid: JID
}

/// One room behaviour (privacy, auditorium, history, invitations, add-in…): it contributes
/// its disco features, room-info and configuration fields. It decides nothing: who may do
/// what is PersistentChat's. The room core asks every feature and knows none of them by name.
protocol RoomFeature: Sendable {
    func discoFeatures(_ context: RoomContext) -> [String]
    func infoFields(_ context: RoomContext) -> [DataForm.Field]
    func configFields(_ context: RoomContext) -> [DataForm.Field]
    /// Applies a submitted configuration form (absent fields leave things as they are). `shown`
    /// is the room the form described: a standard muc#roomconfig field counts only when its
    /// value differs from what was shown, so a form sent back whole does not undo the
    /// feature's own field.
    func apply(_ form: DataForm, to room: inout Room, shown: Room, directory: ChatDirectory) throws(ChatRuleError)
    /// Status codes the joiner's own presence carries.
    func joinStatuses(_ context: RoomContext) -> [MUCStatus]
}

extension RoomFeature {
    func discoFeatures(_ context: RoomContext) -> [String] { [] }
    func infoFields(_ context: RoomContext) -> [DataForm.Field] { [] }
    func configFields(_ context: RoomContext) -> [DataForm.Field] { [] }
    func apply(_ form: DataForm, to room: inout Room, shown: Room, directory: ChatDirectory) throws(ChatRuleError) {}
    func joinStatuses(_ context: RoomContext) -> [MUCStatus] { [] }
}

/// Every room behaviour, in the order their fields appear in forms.
let roomFeatures: [any RoomFeature] = [
    IdentityFeature(), CategoryFeature(), PrivacyFeature(), AuditoriumFeature(), InvitationsFeature(),
    AddInFeature(), DisabledFeature(), RolesFeature(), HistoryFeature(), FixedRulesFeature(),
]

extension DataForm {
    /// A boolean field's value; anything but 1/0/true/false is `invalid`, never ignored.
    func flag(_ variable: String) throws(ChatRuleError) -> Bool? {
        guard let value = values(variable).first else { return nil }
        guard let parsed = bool(variable) else {
            throw ChatRuleError(.invalid, "'\(value.prefix(80))' is not a boolean (1 or 0) for \(variable).")
        }
        return parsed
    }

    /// A boolean field's value when it differs from `shown`, nil when absent or unchanged.
    func changedFlag(_ variable: String, shown: Bool) throws(ChatRuleError) -> Bool? {
        guard let value = try flag(variable), value != shown else { return nil }
        return value
    }

    /// A list-single value parsed as an enum; a bad value is `invalid`.
    func choice<T: RawRepresentable>(_ variable: String, as type: T.Type) throws(ChatRuleError) -> T? where T.RawValue == String {
        guard let value = values(variable).first else { return nil }
        guard let parsed = T(rawValue: value.lowercased()) else {
            throw ChatRuleError(.invalid, "'\(value)' is not a valid value for \(variable).")
        }
        return parsed
    }
}
