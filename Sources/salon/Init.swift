import ArgumentParser
import Foundation
import SalonStore

/// Creates the database without serving: the other commands refuse to create one.
struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create the data directory and database (serve also does on first start).")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let configuration = try await commandConfiguration(common)
        let path = DataDirectory.absolute(configuration.dataDirectory)
        guard case .postgresql(let postgresql) = configuration.storage else {
            let existed = FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(SalonDatabase.fileName))
            do {
                try SalonDatabase(directory: configuration.dataDirectory).close()
            } catch {
                throw CleanExit.failure("salon: cannot create the database in \(path): \(error)")
            }
            print(existed ? "the database in \(path) already exists" : "created the database in \(path)")
            return
        }
        do {
            try await PostgresBackend.open(postgresql).shutdown()
        } catch {
            throw CleanExit.failure("salon: cannot prepare \(postgresql): \(error)")
        }
        print("Salon's tables in \(postgresql) are ready")
    }
}
