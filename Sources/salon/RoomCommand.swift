import ArgumentParser
import Foundation
import PersistentChat
import SalonAdmin

/// `salon room …`: rooms, their settings and roles (design §3).
struct RoomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room", abstract: "Manage rooms.",
        subcommands: [Create.self, Set.self, Show.self, List.self, Remove.self, ClearRoom.self, Avatar.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a room.")
        @OptionGroup var common: CommonOptions
        @Argument var name: String
        @Option var category: String
        @Option var description = ""
        @Option(help: "open, closed or secret") var privacy: RoomPrivacy = .closed
        @Option(help: "normal or auditorium") var type: RoomType = .normal
        @Option(help: "inherit or false") var invitations: RoomInvitations = .inherit
        @Option(name: .customLong("addin")) var addIn: String?
        @Option var member: [String] = []
        @Option var manager: [String] = []
        @Option var presenter: [String] = []
        @Option(help: "The room's address localpart (default: made from the name).") var jid: String?
        @Flag var disabled = false

        func run() async throws {
            let outcome = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) -> Room in
                let room = Room(localpart: jid ?? RoomAddress.make(from: name, taken: Swift.Set(directory.rooms.keys)), name: name,
                                description: description, category: category, type: type, privacy: privacy,
                                invitations: invitations, disabled: disabled, addIn: addIn, members: try OperatorPrincipals.list(member),
                                managers: try OperatorPrincipals.list(manager), presenters: try OperatorPrincipals.list(presenter))
                return try directory.createRoom(room, by: .system)
            }
            print("created room \(outcome.result.name) (\(outcome.result.localpart))")
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a room (lists: --member adds, --remove-member removes …).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The room's name or address.") var room: String
        @Option(name: .customLong("name")) var newName: String?
        @Option var description: String?
        @Option var category: String?
        @Option var privacy: RoomPrivacy?
        @Option var type: RoomType?
        @Option var invitations: RoomInvitations?
        @Option(name: .customLong("addin"), help: "An add-in name, or none.") var addIn: String?
        @Option(help: "on or off") var disabled: Switch?
        @Option var member: [String] = []
        @Option var removeMember: [String] = []
        @Option var manager: [String] = []
        @Option var removeManager: [String] = []
        @Option var presenter: [String] = []
        @Option var removePresenter: [String] = []

        func run() async throws {
            let outcome = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) in
                let change = try edit()
                return try directory.updateRoom(try RoomAddress.find(room, in: directory), by: .system, applying: change)
            }
            print("changed room \(newName ?? room)")
            printStripped(outcome.result)
        }

        private func edit() throws(ChatRuleError) -> RoomEdit {
            var edit = RoomEdit()
            edit.name = newName
            edit.description = description
            edit.category = category
            edit.privacy = privacy
            edit.type = type
            edit.invitations = invitations
            if let addIn { edit.setAddIn(addIn) }
            edit.disabled = disabled?.value
            edit.members = PrincipalListEdit(adding: try OperatorPrincipals.list(member), removing: try OperatorPrincipals.list(removeMember))
            edit.managers = PrincipalListEdit(adding: try OperatorPrincipals.list(manager), removing: try OperatorPrincipals.list(removeManager))
            edit.presenters = PrincipalListEdit(adding: try OperatorPrincipals.list(presenter), removing: try OperatorPrincipals.list(removePresenter))
            return edit
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a room.")
        @OptionGroup var common: CommonOptions
        @Argument var room: String

        func run() async throws {
            let directory = try await readChat(common)
            let localpart: String
            do { localpart = try RoomAddress.find(room, in: directory) } catch { throw CleanExit.failure("salon: \(error.message)") }
            print(ChatReport.text(ChatReport.room(directory.rooms[localpart]!, in: directory)))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List rooms, optionally filtered.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Text the name contains (or the description, with --search-description).") var filter: String?
        @Flag var searchDescription = false
        @Option var category: String?
        @Option var member: String?
        @Option var manager: String?
        @Option(name: .customLong("addin")) var addIn: String?
        @Option(help: "open, closed or secret (repeatable: any of them)") var privacy: [RoomPrivacy] = []
        @Option(help: "normal or auditorium (repeatable)") var type: [RoomType] = []
        @Option(help: "on or off") var disabled: Switch?

        func run() async throws {
            var filter = RoomFilter()
            filter.text = self.filter
            filter.searchDescription = searchDescription
            filter.category = category
            filter.addIn = addIn
            filter.privacies = Swift.Set(privacy)
            filter.types = Swift.Set(type)
            filter.disabled = disabled?.value
            let domain = try await commandConfiguration(common).domain
            do {
                filter.member = try member.map { (text: String) throws(ChatRuleError) in try Principal(text, userDomain: domain) }
                filter.manager = try manager.map { (text: String) throws(ChatRuleError) in try Principal(text, userDomain: domain) }
            } catch {
                throw CleanExit.failure("salon: \(error.message)")
            }
            for room in filter.rooms(in: try await readChat(common)) {
                print("\(room.name)\t\(room.localpart)\t\(room.category)\t\(room.privacy.rawValue)\t\(room.type.rawValue)\(room.disabled ? "\tdisabled" : "")")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a room and its roles.")
        @OptionGroup var common: CommonOptions
        @Argument var room: String

        func run() async throws {
            let outcome = try await withChat(common) { (directory: inout ChatDirectory) throws(ChatRuleError) -> String in
                let localpart = try RoomAddress.find(room, in: directory)
                try directory.removeRoom(localpart, by: .system)
                return localpart
            }
            try await withChatAdministration(common) { try await $0.deleteMessages(room: outcome.result) }
            print("removed room \(room)")
        }
    }

    struct Avatar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a room's avatar (the photo of its vCard, XEP-0486) from an image file, or remove it.")
        @OptionGroup var common: CommonOptions
        @Argument var room: String
        @Argument(help: "An image file (PNG, JPEG, GIF, …).") var file: String?
        @Option(help: "The image's media type (default: from its first bytes).") var type: String?
        @Flag(help: "Remove the room's avatar.") var remove = false

        func run() async throws {
            guard remove != (file != nil) else { throw CleanExit.failure("salon: give an image file or --remove") }
            var image: AvatarImage?
            if let file {
                guard let data = FileManager.default.contents(atPath: file), let read = AvatarImage(bytes: Array(data), type: type) else {
                    throw CleanExit.failure("salon: cannot read an image from \(file)")
                }
                image = read
            }
            let localpart: String
            do { localpart = try RoomAddress.find(room, in: try await readChat(common)) } catch let error as ChatRuleError {
                throw CleanExit.failure("salon: \(error.message)")
            }
            try await withChatAdministration(common) { try await $0.setRoomAvatar(image, room: localpart) }
            print(image.map { "room \(room): avatar set (\($0.type), \($0.byteCount) bytes, sha1 \($0.hash))" } ?? "room \(room): avatar removed")
        }
    }
}
