import Foundation
import Logging
import PersistentChat
import SalonAdmin
import SalonStore
import XMPPCore

/// `service-export` and `service-import` on the chat service (XEP-0050), as `salon export` and
/// `salon import` do: the same `ServiceExporter` and `ServiceImporter`, with files written to
/// and read from the configured `export.directory` only (a plain file name, never a path).
/// Server administrators only: an export holds every account's SCRAM keys, an import creates
/// accounts.
struct ServiceTransferCommands: Sendable {
    let database: any StoreBackend
    let configuration: AdminConfiguration
    let exportDirectory: String
    unowned let muc: MUCService
    let logger: Logger

    var all: [AdHocCommand] {
        let commands = self
        let serverAdministrators: @Sendable (String) -> Bool = { commands.muc.directory.isServerAdministrator($0) }
        return [
            AdHocCommand(node: "service-export", name: "Export the service", mayRun: serverAdministrators) { request in
                guard let form = request.stage(0) else {
                    return .form(DataForm(type: .form, title: "Export the service",
                                          instructions: "Writes a ZIP into the server's export directory (docs/EXPORT-FORMAT.md).",
                                          fields: [.text("file", "File name", "salon-export.zip", required: true),
                                                   .listMulti("level", "Parts (none: all)", [], options: ExportLevel.allCases.map(\.rawValue)),
                                                   .textMulti("category", "Only these categories (one a line)"),
                                                   .text("since", "Content from (2026-11-21 or 2026-11-21T18:00:00Z)")]), final: true)
                }
                return try await commands.export(form, by: request.user)
            },
            AdHocCommand(node: "service-import", name: "Import into the service", mayRun: serverAdministrators) { request in
                guard let form = request.stage(0) else {
                    return .form(DataForm(type: .form, title: "Import into the service",
                                          instructions: "Reads a Salon export or a XEP-0227 file from the server's export directory. Any conflict stops it with nothing changed.",
                                          fields: [.listSingle("file", "File", nil, options: commands.importableFiles(), required: true),
                                                   .boolean("dry-run", "Only report what would be imported", false)]), final: true)
                }
                return try await commands.import(form, by: request.user)
            },
        ]
    }

    private func export(_ form: DataForm, by user: String) async throws -> AdHocStep {
        let input = FormInput(form)
        let path = try path(of: try input.required("file", "The file name"))
        let options = ExportOptions(levels: try input.choices("level", ExportLevel.self), categories: input.lines("category"),
                                    since: try input.date("since"))
        try FileManager.default.createDirectory(atPath: exportDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let summary: ServiceExporter.Summary
        do {
            summary = try await ServiceExporter(database: database, domain: configuration.domain, dataDirectory: configuration.dataDirectory)
                .export(to: path, options: options)
        } catch {
            throw AdHocInputError("The export failed: \(error)")
        }
        logger.notice("service exported", metadata: ["by": "\(user)", "file": "\(path)",
                                                      "messages": "\(summary.records("messages.jsonl"))"])
        return .completed(DataForm(type: .result, title: "Export written", fields: [.textMulti("report", "Report", summary.skipped + [summary.line])]),
                          note: summary.line)
    }

    private func `import`(_ form: DataForm, by user: String) async throws -> AdHocStep {
        let input = FormInput(form)
        let path = try path(of: try input.required("file", "The file"))
        let dryRun = try input.bool("dry-run") ?? false
        let report: ServiceImportReport
        do {
            report = try await ServiceImporter(database: database, domain: configuration.domain, dataDirectory: configuration.dataDirectory,
                                               iterations: configuration.scramIterations).importFile(at: path, dryRun: dryRun)
        } catch let error as ImportError {
            throw AdHocInputError(error.description)
        }
        if report.committed { await muc.pollOnce() }
        logger.notice(report.conflicts.isEmpty ? "service imported" : "service import stopped by conflicts",
                      metadata: ["by": "\(user)", "file": "\(path)", "dry-run": "\(dryRun)", "conflicts": "\(report.conflicts.count)",
                                 "accounts": "\(report.accountsAdded)", "messages": "\(report.messagesAdded)",
                                 "compliance-events": "\(report.complianceEventsAdded)"])
        let lines = report.lines(dryRun: dryRun)
        return .completed(DataForm(type: .result, title: "Import", fields: [.textMulti("report", "Report", lines)]), note: lines.first)
    }

    /// `name` inside the export directory: one plain file name, nothing that leaves it.
    private func path(of name: String) throws(AdHocInputError) -> String {
        guard !name.isEmpty, name.utf8.count <= 255, !name.hasPrefix("."), !name.contains("/"), !name.contains("\\"),
              !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw AdHocInputError("The file must be a plain file name in the export directory.")
        }
        return exportDirectory + "/" + name
    }

    /// The ZIP and XML files in the export directory, sorted.
    private func importableFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: exportDirectory)) ?? []
        return names.filter { !$0.hasPrefix(".") && ($0.hasSuffix(".zip") || $0.hasSuffix(".xml")) }.sorted()
    }
}
