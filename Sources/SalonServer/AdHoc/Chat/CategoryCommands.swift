import PersistentChat
import SalonAdmin
import XMPPCore

/// Categories: create, change, show, list, remove (administrators).
extension ChatCommandSet {
    var categoryCommands: [AdHocCommand] {
        [
            administrators("category-create", "Create a category") { request in
                guard let form = request.stage(0) else { return .form(categoryForm("Create a category", nil), final: true) }
                let input = FormInput(form)
                let category = Category(name: try input.required("name", "The name"), description: input.text("description") ?? "",
                                        allowed: try input.principals("allowed"), denied: try input.principals("denied"),
                                        creators: try input.principals("creators"), invitations: try input.bool("invitations") ?? false,
                                        fileUpload: try input.bool("file-upload") ?? false, chatHistory: try input.bool("chat-history") ?? true)
                try await perform { (directory: inout ChatDirectory) throws(ChatRuleError) in try directory.createCategory(category, by: request.actor) }
                return .done("Created category \(category.name).")
            },
            administrators("category-change", "Change a category") { request in
                guard let chosen = request.stage(0) else { return .form(categoryChoice("Change a category"), final: false) }
                let category = try category(in: chosen)
                guard let form = request.stage(1) else { return .form(categoryForm("Change category \(category.name)", category), final: true) }
                let edit = try categoryEdit(form)
                let stripped = try await perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                    try directory.updateCategory(named: category.name, by: request.actor) { edit.apply(to: &$0) }
                }
                return .done(Self.note("Changed category \(edit.name ?? category.name).", stripped: stripped))
            },
            administrators("category-show", "Show a category") { request in
                guard let chosen = request.stage(0) else { return .form(categoryChoice("Show a category"), final: true) }
                return .completed(Self.report("Category", ChatReport.category(try category(in: chosen), in: directory)), note: nil)
            },
            administrators("category-list", "List categories") { _ in
                let categories = directory.categories.values.sorted { $0.name.lowercased() < $1.name.lowercased() }
                let rooms = Dictionary(grouping: directory.rooms.values, by: { $0.category.lowercased() })
                return .completed(Self.table("Categories", columns: [("name", "Name"), ("description", "Description"), ("rooms", "Rooms")],
                                             rows: categories.map { [$0.name, $0.description, "\(rooms[$0.name.lowercased()]?.count ?? 0)"] }),
                                  note: "\(categories.count) categories.")
            },
            administrators("category-remove", "Remove a category") { request in
                guard let chosen = request.stage(0) else { return .form(categoryChoice("Remove a category (refused while it has rooms)"), final: true) }
                let category = try category(in: chosen)
                try await perform { (directory: inout ChatDirectory) throws(ChatRuleError) in try directory.removeCategory(named: category.name, by: request.actor) }
                return .done("Removed category \(category.name).")
            },
        ]
    }

    /// The category's settings, blank for a new one.
    private func categoryForm(_ title: String, _ category: Category?) -> DataForm {
        DataForm(type: .form, title: title, instructions: "Principals one per line: user@domain, group:NAME or a domain.", fields: [
            .text("name", "Name", category?.name, required: true),
            .text("description", "Description", category?.description),
            .textMulti("allowed", "Allowed", category?.allowed.map(\.description) ?? []),
            .textMulti("denied", "Denied (always wins)", category?.denied.map(\.description) ?? []),
            .textMulti("creators", "Creators (may create rooms)", category?.creators.map(\.description) ?? []),
            .boolean("invitations", "Rooms send invitations", category?.invitations ?? false),
            .boolean("file-upload", "Rooms accept files", category?.fileUpload ?? false),
            .boolean("chat-history", "Keep chat history", category?.chatHistory ?? true),
        ])
    }

    /// A submitted category form as an edit: the lists replace the old ones.
    private func categoryEdit(_ form: DataForm) throws -> CategoryEdit {
        let input = FormInput(form)
        var edit = CategoryEdit()
        edit.name = input.text("name")
        edit.description = form["description"] == nil ? nil : input.text("description") ?? ""
        if form["allowed"] != nil { edit.allowed = PrincipalListEdit(replacement: try input.principals("allowed")) }
        if form["denied"] != nil { edit.denied = PrincipalListEdit(replacement: try input.principals("denied")) }
        if form["creators"] != nil { edit.creators = PrincipalListEdit(replacement: try input.principals("creators")) }
        edit.invitations = try input.bool("invitations")
        edit.fileUpload = try input.bool("file-upload")
        edit.chatHistory = try input.bool("chat-history")
        return edit
    }

    private func categoryChoice(_ title: String) -> DataForm {
        let names = directory.categories.values.map(\.name).sorted { $0.lowercased() < $1.lowercased() }
        let field: DataForm.Field = names.count <= Self.maxListedChoices
            ? .listSingle("category", "Category", nil, options: names, required: true)
            : .text("category", "Category", required: true)
        return DataForm(type: .form, title: title, fields: [field])
    }

    private func category(in form: DataForm) throws -> Category {
        let name = try FormInput(form).required("category", "The category")
        guard let category = directory.category(named: name) else { throw ChatDirectory.categoryNotFound(name) }
        return category
    }
}
