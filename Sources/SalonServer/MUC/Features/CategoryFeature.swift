import PersistentChat
import XMPPCore

/// The room's category: shown in room info, chosen in the configuration form (the rules decide
/// who may move a room where).
struct CategoryFeature: RoomFeature {
    func infoFields(_ context: RoomContext) -> [DataForm.Field] {
        [DataForm.Field("\(MUC.salon)#category", label: "Category", values: [context.room.category])]
    }

    func configFields(_ context: RoomContext) -> [DataForm.Field] {
        let names = context.directory.categories.values.map(\.name).sorted()
        return [DataForm.Field("\(MUC.salon)#category", type: "list-single", label: "Category", values: context.room.category.isEmpty ? [] : [context.room.category],
                               options: names.map { (label: $0, value: $0) }, required: true)]
    }

    func read(_ form: DataForm, shown: Room, directory: ChatDirectory, into edit: inout RoomEdit) throws(ChatRuleError) {
        guard let name = form.values("\(MUC.salon)#category").first else { return }
        guard let category = directory.category(named: name) else {
            throw ChatRuleError(.notFound, "There is no category named \(name).")
        }
        edit.category = category.name
    }
}
