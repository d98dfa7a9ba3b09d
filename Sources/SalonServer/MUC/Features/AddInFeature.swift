import PersistentChat
import XMPPCore

/// The room's add-in (design §4): its name and URL in room info, chosen among registered ones.
struct AddInFeature: RoomFeature {
    func infoFields(_ context: RoomContext) -> [DataForm.Field] {
        guard let name = context.room.addIn, let addIn = context.directory.addIns[name.lowercased()] else { return [] }
        return [
            DataForm.Field("\(MUC.salon)#addin_name", label: "Add-in", values: [addIn.name]),
            DataForm.Field("\(MUC.salon)#addin_url", type: "text-single", label: "Add-in URL", values: [addIn.url]),
        ]
    }

    /// "No add-in" as a list value: an empty option value crashes some clients (Profanity 0.13).
    static let none = "(none)"

    func configFields(_ context: RoomContext) -> [DataForm.Field] {
        let names = context.directory.addIns.values.map(\.name).sorted()
        return [DataForm.Field("\(MUC.salon)#addin", type: "list-single", label: "Add-in", values: [context.room.addIn ?? Self.none],
                               options: [(label: "None", value: Self.none)] + names.map { (label: $0, value: $0) })]
    }

    func read(_ form: DataForm, shown: Room, directory: ChatDirectory, into edit: inout RoomEdit) throws(ChatRuleError) {
        guard let field = form["\(MUC.salon)#addin"] else { return }
        let name = field.values.first ?? ""
        // An empty value still means none, as it did before the sentinel.
        edit.addIn = name.isEmpty || (name == Self.none && directory.addIns[name.lowercased()] == nil) ? "" : name
    }
}
