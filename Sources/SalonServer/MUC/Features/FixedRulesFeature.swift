import PersistentChat
import XMPPCore

/// The standard settings the model fixes for every room: shown as they are, accepted as they
/// are, and refused with the rule's text when a form asks for something else.
struct FixedRulesFeature: RoomFeature {
    private static let whois = "muc#roomconfig_whois"

    func configFields(_ context: RoomContext) -> [DataForm.Field] {
        [
            // Always persistent; clients that send 0 are not refused for it.
            .boolean("muc#roomconfig_persistentroom", "Persistent (always)", true),
            DataForm.Field(Self.whois, type: "list-single", label: "Who sees occupants' real addresses (always anyone)",
                           values: ["anyone"], options: [(label: "Anyone", value: "anyone")]),
            .boolean("muc#roomconfig_changesubject", "Occupants change the subject (no: only managers)", FixedRoomRules.occupantsChangeSubject),
        ]
    }

    func read(_ form: DataForm, shown: Room, directory: ChatDirectory, into edit: inout RoomEdit) throws(ChatRuleError) {
        if let whois = form.values(Self.whois).first {
            guard ["anyone", "moderators"].contains(whois) else {
                throw ChatRuleError(.invalid, "'\(whois.prefix(80))' is not a valid value for \(Self.whois) (anyone, moderators).")
            }
            edit.realJIDsVisibleToAll = whois == "anyone"
        }
        edit.occupantsChangeSubject = try form.flag("muc#roomconfig_changesubject")
    }
}
