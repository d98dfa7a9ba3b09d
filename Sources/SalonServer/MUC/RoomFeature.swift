import PersistentChat
import XMPPCore

/// What a room behaviour sees of its room.
struct RoomContext {
    let room: Room
    let category: Category?
    let directory: ChatDirectory
    let jid: JID
}

/// Who is joining, for the features that greet them (see `RoomFeature.welcome`).
struct Joiner {
    /// The joining session (the stanzas' `to`).
    let session: JID
    /// The `<history/>` the join asked for (XEP-0045 §7.2.13), if any.
    let historyRequest: XMLElement?
    /// The room's recent messages.
    let history: RoomHistory
}

/// One room behaviour (privacy, auditorium, history, invitations, add-in…): it contributes
/// its disco features, room-info and configuration fields, what it reads from a submitted form,
/// what a joiner gets, and how it stamps and keeps posts. Who may do what is PersistentChat's,
/// not a feature's. The room core asks every feature and knows none of them by name. Every hook
/// has a default that does nothing (or allows), so a feature writes only the hooks it needs.
protocol RoomFeature: Sendable {
    func discoFeatures(_ context: RoomContext) -> [String]
    func infoFields(_ context: RoomContext) -> [DataForm.Field]
    func configFields(_ context: RoomContext) -> [DataForm.Field]
    /// Reads a submitted configuration form into `edit` (absent fields leave it as it is); the
    /// edit is applied once, by PersistentChat's `RoomEdit.apply`. `shown` is the room the form
    /// described: a standard muc#roomconfig field counts only when its value differs from what
    /// was shown, so a form sent back whole does not undo the feature's own field.
    func read(_ form: DataForm, shown: Room, directory: ChatDirectory, into edit: inout RoomEdit) throws(ChatRuleError)
    /// Status codes the joiner's own presence carries.
    func joinStatuses(_ context: RoomContext) -> [MUCStatus]
    /// What the joiner gets after its own presence, in feature order (history before subject).
    func welcome(_ context: RoomContext, joiner: Joiner) -> [XMLElement]
    /// Adds this feature's elements to a post the room is about to archive and broadcast.
    func stamp(_ post: inout XMLElement, by occupant: Occupant)
    /// Whether posts are archived (and kept for joiners); a post is when every feature agrees.
    /// Asked once per directory change, not per post.
    func archivesPosts(_ context: RoomContext) -> Bool
    /// Refuses, with the rule's refusal, when nobody may read the room's archive (MAM).
    func checkArchiveRead(_ context: RoomContext) throws(ChatRuleError)
    /// Whether occupants see each other's presence changes with `occupantCount` in the room.
    func broadcastsPresence(_ context: RoomContext, occupantCount: Int) -> Bool
}

extension RoomFeature {
    func discoFeatures(_ context: RoomContext) -> [String] { [] }
    func infoFields(_ context: RoomContext) -> [DataForm.Field] { [] }
    func configFields(_ context: RoomContext) -> [DataForm.Field] { [] }
    func read(_ form: DataForm, shown: Room, directory: ChatDirectory, into edit: inout RoomEdit) throws(ChatRuleError) {}
    func joinStatuses(_ context: RoomContext) -> [MUCStatus] { [] }
    func welcome(_ context: RoomContext, joiner: Joiner) -> [XMLElement] { [] }
    func stamp(_ post: inout XMLElement, by occupant: Occupant) {}
    func archivesPosts(_ context: RoomContext) -> Bool { true }
    func checkArchiveRead(_ context: RoomContext) throws(ChatRuleError) {}
    func broadcastsPresence(_ context: RoomContext, occupantCount: Int) -> Bool { true }
}

/// Every room behaviour, in the order their fields appear in forms (and their welcomes go to a
/// joiner: the subject ends the join, so it comes last).
let roomFeatures: [any RoomFeature] = [
    IdentityFeature(), CategoryFeature(), PrivacyFeature(), AuditoriumFeature(), InvitationsFeature(),
    AddInFeature(), DisabledFeature(), RolesFeature(), HistoryFeature(), FixedRulesFeature(),
    ParticipantUpdateLimitFeature(), OccupantIDFeature(), SubjectFeature(),
]

/// A submitted configuration form as one edit: every feature reads its own fields.
func roomEdit(from form: DataForm, shown: Room, directory: ChatDirectory) throws(ChatRuleError) -> RoomEdit {
    var edit = RoomEdit()
    for feature in roomFeatures { try feature.read(form, shown: shown, directory: directory, into: &edit) }
    return edit
}

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
