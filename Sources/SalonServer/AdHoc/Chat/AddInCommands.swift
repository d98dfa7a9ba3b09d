import PersistentChat
import XMPPCore

/// Add-ins: create, change, list, remove (administrators, design §4).
extension ChatCommandSet {
    var addInCommands: [AdHocCommand] {
        [
            administrators("addin-create", "Register an add-in") { request in
                guard let form = request.stage(0) else { return .form(addInForm("Register an add-in", nil), final: true) }
                let input = FormInput(form)
                let addIn = AddIn(name: try input.required("name", "The name"), url: try input.required("url", "The URL"))
                try await perform { (directory: inout ChatDirectory) throws(ChatRuleError) in try directory.createAddIn(addIn, by: request.actor) }
                return .done("Created add-in \(addIn.name).")
            },
            administrators("addin-change", "Change an add-in") { request in
                guard let chosen = request.stage(0) else { return .form(addInChoice("Change an add-in"), final: false) }
                let addIn = try addIn(in: chosen)
                guard let form = request.stage(1) else { return .form(addInForm("Change add-in \(addIn.name)", addIn), final: true) }
                let input = FormInput(form)
                let (name, url) = (input.text("name"), input.text("url"))
                try await perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                    try directory.updateAddIn(named: addIn.name, by: request.actor) { (changed: inout AddIn) throws(ChatRuleError) in
                        if let name { changed.name = name }
                        if let url { changed.url = url }
                    }
                }
                return .done("Changed add-in \(name ?? addIn.name).")
            },
            administrators("addin-list", "List add-ins") { _ in
                let addIns = directory.addIns.values.sorted { $0.name.lowercased() < $1.name.lowercased() }
                return .completed(Self.table("Add-ins", columns: [("name", "Name"), ("url", "URL")], rows: addIns.map { [$0.name, $0.url] }),
                                  note: "\(addIns.count) add-ins.")
            },
            administrators("addin-remove", "Remove an add-in") { request in
                guard let chosen = request.stage(0) else { return .form(addInChoice("Remove an add-in (rooms using it lose it)"), final: true) }
                let addIn = try addIn(in: chosen)
                try await perform { (directory: inout ChatDirectory) throws(ChatRuleError) in try directory.removeAddIn(named: addIn.name, by: request.actor) }
                return .done("Removed add-in \(addIn.name).")
            },
        ]
    }

    private func addInForm(_ title: String, _ addIn: AddIn?) -> DataForm {
        DataForm(type: .form, title: title, fields: [
            .text("name", "Name", addIn?.name, required: true),
            .text("url", "URL (http or https)", addIn?.url, required: true),
        ])
    }

    private func addInChoice(_ title: String) -> DataForm {
        DataForm(type: .form, title: title, fields: [
            .listSingle("addin", "Add-in", nil, options: directory.addIns.values.map(\.name).sorted(), required: true),
        ])
    }

    private func addIn(in form: DataForm) throws -> AddIn {
        let name = try FormInput(form).required("addin", "The add-in")
        guard let addIn = directory.addIns.values.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw ChatDirectory.addInNotFound(name)
        }
        return addIn
    }
}
