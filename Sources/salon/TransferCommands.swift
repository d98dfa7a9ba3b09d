import ArgumentParser
import Foundation
import SalonAdmin

/// `salon export FILE`: the service, or some of its parts, into one ZIP (docs/EXPORT-FORMAT.md).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export the service (or some of its parts) to a ZIP file.")
    @OptionGroup var common: CommonOptions
    @Argument(help: "The file to write (replaced once the export is complete).") var file: String
    @Option(help: "What to export: all, principals, categories, rooms or content (repeatable). Default: all.")
    var level: [ExportLevel] = []
    @Option(help: "Only this category, its rooms and their content (repeatable).") var category: [String] = []
    @Option(help: "Only messages and files from this date on (ISO 8601: 2026-01-31 or 2026-01-31T08:00:00Z).")
    var since: String?

    func run() async throws {
        let since = try since.map { text in
            do { return try Timestamps.parse(text, "--since") } catch { throw CleanExit.failure("salon: \(error)") }
        }
        let summary = try await withDatabase(common) { configuration, database in
            try await ServiceExporter(database: database, domain: configuration.domain, dataDirectory: configuration.dataDirectory)
                .export(to: file, options: ExportOptions(levels: level.isEmpty ? [.all] : level, categories: category, since: since))
        }
        summary.skipped.forEach { print("left out: \($0)") }
        print(summary.line)
    }
}

/// `salon import FILE`: a Salon export, or XEP-0227 user exports (a file or a directory of them).
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a Salon export, or XEP-0227 accounts and rosters from another server.",
        discussion: """
            FILE is a ZIP written by 'salon export', a XEP-0227 XML file (ejabberd's export_piefxis), \
            or a directory of them (Prosody's prosody-migrator). Anything already here is kept; \
            any conflict stops the import before it changes anything.
            """)
    @OptionGroup var common: CommonOptions
    @Argument(help: "The export to read.") var file: String
    @Flag(help: "Check and report what would be imported, changing nothing.") var dryRun = false

    func run() async throws {
        let report = try await withDatabase(common) { configuration, database in
            try await ServiceImporter(database: database, domain: configuration.domain, dataDirectory: configuration.dataDirectory,
                                      iterations: configuration.scramIterations)
                .importFile(at: file, dryRun: dryRun)
        }
        report.lines(dryRun: dryRun).forEach { print($0) }
        if !report.conflicts.isEmpty { throw ExitCode.failure }
    }
}

extension ExportLevel: ExpressibleByArgument {}
