import ArgumentParser

/// Finds a mistyped subcommand before ArgumentParser does: it would blame the next option
/// ("Unknown option '--category'" for `salon room creat x --category y`), not the typo.
enum UnknownSubcommand {
    /// The message for the first word that should name a subcommand but names none, or nil.
    static func problem(in arguments: [String], root: any ParsableCommand.Type) -> String? {
        var command = root
        var path = [root._commandName]
        for argument in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !argument.hasPrefix("-"), argument != "help" else { return nil }
            guard let next = subcommands.first(where: { $0._commandName == argument }) else {
                let names = subcommands.map { $0._commandName }
                let guess = names.first { distance($0, argument) <= 2 }.map { " (did you mean '\($0)'?)" } ?? ""
                return "Unknown subcommand '\(argument)' for '\(path.joined(separator: " "))'\(guess). "
                    + "Subcommands: \(names.joined(separator: ", "))."
            }
            command = next
            path.append(next._commandName)
        }
        return nil
    }

    /// Levenshtein distance, for the suggestion.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
