import ArgumentParser
import PersistentChat
import SalonAdmin
import SalonStore

/// `salon file list|remove`: uploaded files (XEP-0363). A removed file's URL answers 410 at once.
struct FileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "file", abstract: "Administer uploaded files.",
                                                    subcommands: [List.self, Remove.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List uploaded files, newest first.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Only files posted in this room (name or address).") var room: String?
        @Option(help: "Only files this user uploaded.") var user: String?
        @Flag(help: "Also list revoked files.") var all = false

        func run() async throws {
            let files = try await withDatabase(common) { configuration, database in
                var localpart: String?
                if let room { localpart = try RoomAddress.find(room, in: try await database.chat.loadDirectory()) }
                let uploader = user.map { $0.contains("@") ? $0.lowercased() : "\($0.lowercased())@\(configuration.domain)" }
                return try await FileAdministration(database: database, dataDirectory: configuration.dataDirectory)
                    .list(room: localpart, uploader: uploader, includingRevoked: all)
            }
            for file in files { print(FileAdministration.line(file)) }
            if files.isEmpty { print("no files") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an uploaded file and delete it from disk.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The file's id (the first path segment of its URL).") var id: String

        func run() async throws {
            let removed = try await withDatabase(common) { configuration, database in
                try await FileAdministration(database: database, dataDirectory: configuration.dataDirectory).remove(id: id.lowercased())
            }
            guard removed else { throw CleanExit.failure("salon: no file \(id)") }
            print("removed file \(id)")
        }
    }
}
