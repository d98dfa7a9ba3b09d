import Foundation
import Logging
import PersistentChat
import SalonAdmin

/// The server's side of compliance operation: picks up settings changed by the command line
/// (every `settingsPoll`) and runs the exporter every `run_interval`; at start it finishes an
/// export a crash interrupted.
final class ComplianceService: Sendable {
    private let task: Task<Void, Never>
    static let settingsPoll = Duration.seconds(2)

    init(recorder: ComplianceRecorder, administration: ComplianceAdministration, logger: Logger) {
        let poll = Self.settingsPoll
        task = Task {
            let clock = ContinuousClock()
            await recorder.refresh()
            // At start, only an export a crash interrupted is finished; the next runs a full interval later.
            await Self.export(administration, settings: recorder.settings, onlyInterrupted: true, logger: logger)
            var nextExport = clock.now.advanced(by: .seconds(recorder.settings.runInterval))
            while !Task.isCancelled {
                await recorder.refresh()
                if clock.now >= nextExport {
                    await Self.export(administration, settings: recorder.settings, logger: logger)
                    nextExport = clock.now.advanced(by: .seconds(recorder.settings.runInterval))
                }
                try? await Task.sleep(for: poll)
            }
        }
    }

    func stop() async {
        task.cancel()
        await task.value
    }

    /// One export of what waits; logged when it wrote something or failed.
    static func export(_ administration: ComplianceAdministration, settings: ComplianceSettings, onlyInterrupted: Bool = false,
                       logger: Logger) async {
        do {
            let outcome = try await administration.exporter.run(settings, onlyInterrupted: onlyInterrupted)
            if outcome.events > 0 {
                logger.notice("compliance events exported", metadata: [
                    "events": "\(outcome.events)", "files": "\(outcome.files.count)",
                    "directory": "\(administration.exporter.outputDirectory(settings))",
                ])
            }
        } catch {
            logger.error("compliance export failed", metadata: ["error": "\(error)"])
        }
    }
}

