import ArgumentParser
import Foundation
import PersistentChat
import SalonAdmin
import SalonStore

/// `salon room clear` and `salon message remove`: administrators' operations on room content
/// (design §3). A running server picks them up within a second.
struct ClearRoom: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clear", abstract: "Delete a room's content up to and including a date.")
    @OptionGroup var common: CommonOptions
    @Argument(help: "The room's name or address.") var room: String
    @Option(help: "UTC date-time or date (2026-11-21T18:00:00Z, 2026-11-21).") var until: ContentDate

    func run() async throws {
        let removed = try await withCompliance(common) { compliance in
            try await ArchiveAdministration(database: compliance.database).clear(room: room, until: until.date, journal: try await compliance.journal())
        }
        print("deleted \(removed) messages from \(room)")
    }
}

struct MessageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "message", abstract: "Administer room messages.", subcommands: [Remove.self])

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete or replace the messages of a room that match every filter given.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The room's name or address.") var room: String
        @Option(help: "Author (repeatable).") var author: [String] = []
        @Option(help: "From this UTC date-time or date.") var from: ContentDate?
        @Option(help: "Up to this UTC date-time or date (inclusive).") var to: ContentDate?
        @Option(help: "Keywords (or the phrase for --match exact).") var keywords: String?
        @Option(help: "all, any or exact") var match: TextMatch = .all
        @Flag var caseSensitive = false
        @Flag(help: "Delete the messages.") var delete = false
        @Flag(help: "Replace each body with TEXT (default: the persistent-chat administrator's notice).") var replace = false
        @Argument(help: "The replacement text, after --replace.") var text: String?

        func validate() throws {
            guard delete != replace else { throw ValidationError("choose --delete or --replace [TEXT]") }
            guard text == nil || replace else { throw ValidationError("a replacement text goes with --replace") }
        }

        func run() async throws {
            let replacement = delete ? nil : (self.text ?? ArchiveAdministration.defaultReplacement)
            let filter = keywords.map { TextFilter($0, match: match, caseSensitive: caseSensitive) }
            let authors = author.map { $0.lowercased() }
            let count = try await withCompliance(common) { compliance in
                try await ArchiveAdministration(database: compliance.database).remove(
                    room: room, authors: authors, from: from?.date, to: to?.date, text: filter, replacement: replacement,
                    journal: try await compliance.journal())
            }
            print(delete ? "deleted \(count) messages" : "replaced \(count) messages")
        }
    }
}

/// A date on the command line: a XEP-0082 date-time, or a day (its last instant for "until").
struct ContentDate: ExpressibleByArgument {
    let date: Date

    init?(argument: String) {
        if let date = try? Date(argument, strategy: .iso8601) {
            self.date = date
        } else if let day = try? Date("\(argument)T23:59:59.999Z", strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            self.date = day
        } else {
            return nil
        }
    }
}

extension TextMatch: ExpressibleByArgument {}
