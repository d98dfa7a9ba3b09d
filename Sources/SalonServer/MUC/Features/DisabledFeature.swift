import PersistentChat
import XMPPCore

/// Disabling a room (design §3 lifecycle): its occupants leave at once and it cannot be found
/// or joined; settings and content stay.
struct DisabledFeature: RoomFeature {
    func configFields(_ context: RoomContext) -> [DataForm.Field] {
        [.boolean("\(MUC.salon)#disabled", "Disabled", context.room.disabled)]
    }

    func read(_ form: DataForm, shown: Room, directory: ChatDirectory, into edit: inout RoomEdit) throws(ChatRuleError) {
        if let disabled = form.bool("\(MUC.salon)#disabled") { edit.disabled = disabled }
    }
}
