import PersistentChat
import SalonAdmin
import XMPPCore

/// Uploaded files for administrators on the chat service (XEP-0050), as `salon file list` and
/// `salon file remove` do: the same `FileAdministration`.
struct FileCommands: Sendable {
    let files: FileAdministration
    let directory: @Sendable () -> ChatDirectory
    /// A listing shows this many files at most (newest first).
    static let maxListed = 200

    var all: [AdHocCommand] {
        let (files, directory) = (files, directory)
        let administrators: @Sendable (String) -> Bool = { directory().isAdministrator($0) }
        return [
            AdHocCommand(node: "file-list", name: "List uploaded files", mayRun: administrators) { request in
                guard let form = request.stage(0) else {
                    return .form(DataForm(type: .form, title: "List uploaded files", instructions: "Newest first; every filter is optional.",
                                          fields: [.text("room", "Room (name or address)"), .text("user", "Uploader (JID)")]), final: true)
                }
                let input = FormInput(form)
                let room = try input.text("room").map { try RoomAddress.find($0, in: directory()) }
                let listed = try await files.list(room: room, uploader: input.text("user")?.lowercased())
                let usage = try await files.usage(room: room, uploader: input.text("user")?.lowercased())
                let lines = listed.prefix(Self.maxListed).map(FileAdministration.line)
                return .completed(DataForm(type: .result, title: "Uploaded files", fields: [
                    .fixed(nil, nil, "\(usage.files) files, \(usage.bytes) bytes"),
                    .textMulti("files", "Files", Array(lines)),
                ]), note: nil)
            },
            AdHocCommand(node: "file-remove", name: "Remove an uploaded file", mayRun: administrators) { request in
                guard let form = request.stage(0) else {
                    return .form(DataForm(type: .form, title: "Remove an uploaded file", instructions: "Its URL answers 410 at once.",
                                          fields: [.text("id", "File id (the first path segment of its URL)", required: true)]), final: true)
                }
                let id = try FormInput(form).required("id", "The file id").lowercased()
                guard try await files.remove(id: id) else { throw AdHocInputError("No file \(id).") }
                return .done("Removed file \(id).")
            },
        ]
    }
}
