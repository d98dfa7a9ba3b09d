import ArgumentParser
import Foundation
import PersistentChat

/// `salon room …`: rooms, their settings and roles (design §3).
struct RoomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room", abstract: "Manage rooms.",
        subcommands: [Create.self, Set.self, Show.self, List.self, Remove.self, ClearRoom.self])

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
                                invitations: invitations, disabled: disabled, addIn: addIn, members: try principals(member),
                                managers: try principals(manager), presenters: try principals(presenter))
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
                let localpart = try RoomAddress.find(room, in: directory)
                return try directory.updateRoom(localpart, by: .system) { (room: inout Room) throws(ChatRuleError) in
                    if let newName { room.name = newName }
                    if let description { room.description = description }
                    if let category { room.category = category }
                    if let privacy { room.privacy = privacy }
                    if let type { room.type = type }
                    if let invitations { room.invitations = invitations }
                    if let addIn { room.addIn = addIn.lowercased() == "none" ? nil : addIn }
                    if let disabled { room.disabled = disabled.value }
                    room.members = edited(room.members, adding: try principals(member), removing: try principals(removeMember))
                    room.managers = edited(room.managers, adding: try principals(manager), removing: try principals(removeManager))
                    room.presenters = edited(room.presenters, adding: try principals(presenter), removing: try principals(removePresenter))
                }
            }
            print("changed room \(newName ?? room)")
            printStripped(outcome.result)
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
            let room = directory.rooms[localpart]!
            print("""
            name:        \(room.name)
            address:     \(room.localpart)
            description: \(room.description)
            category:    \(room.category)
            type:        \(room.type.rawValue)
            privacy:     \(room.privacy.rawValue)
            invitations: \(room.invitations.rawValue) (effective: \(onOff(directory.effectiveInvitations(of: room))))
            disabled:    \(room.disabled ? "yes" : "no")
            add-in:      \(room.addIn ?? "(none)")
            members:     \(describe(room.members))
            managers:    \(describe(room.managers))
            presenters:  \(describe(room.presenters))
            """)
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
        @Option var privacy: RoomPrivacy?
        @Option var type: RoomType?
        @Option(help: "on or off") var disabled: Switch?

        func run() async throws {
            let directory = try await readChat(common)
            let memberPrincipal: Principal?, managerPrincipal: Principal?
            do {
                memberPrincipal = try member.map(Principal.init)
                managerPrincipal = try manager.map(Principal.init)
            } catch {
                throw CleanExit.failure("salon: \(error)")
            }
            let rooms = directory.rooms.values.filter { room in
                if let filter {
                    let text = filter.lowercased()
                    guard room.name.lowercased().contains(text) || (searchDescription && room.description.lowercased().contains(text)) else { return false }
                }
                if let category, room.category.lowercased() != category.lowercased() { return false }
                if let memberPrincipal, !room.members.contains(memberPrincipal) { return false }
                if let managerPrincipal, !room.managers.contains(managerPrincipal) { return false }
                if let addIn, room.addIn?.lowercased() != addIn.lowercased() { return false }
                if let privacy, room.privacy != privacy { return false }
                if let type, room.type != type { return false }
                if let disabled, room.disabled != disabled.value { return false }
                return true
            }
            for room in rooms.sorted(by: { $0.name.lowercased() < $1.name.lowercased() }) {
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
}

/// Rooms are named on the command line by display name or address.
enum RoomAddress {
    static func find(_ text: String, in directory: ChatDirectory) throws(ChatRuleError) -> String {
        if let room = directory.room(named: text) { return room.localpart }
        if directory.rooms[text.lowercased()] != nil { return text.lowercased() }
        throw ChatRuleError(.notFound, "There is no room named \(text).")
    }

    /// An address from a display name: lowercase letters, digits and dashes, made unique.
    static func make(from name: String, taken: Swift.Set<String>) -> String {
        var base = ""
        for character in name.lowercased() {
            if character.isASCII, character.isLetter || character.isNumber { base.append(character) } else if !base.hasSuffix("-") { base.append("-") }
        }
        base = String(base.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(48))
        if base.isEmpty { base = "room" }
        var candidate = base, counter = 2
        while taken.contains(candidate) {
            candidate = "\(base)-\(counter)"
            counter += 1
        }
        return candidate
    }
}
