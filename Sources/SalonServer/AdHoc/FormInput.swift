import Foundation
import PersistentChat
import SalonAdmin
import XMPPCore

/// Typed reading of a submitted XEP-0004 form; anything malformed is an AdHocInputError
/// whose text tells the user which field to fix.
struct FormInput: Sendable {
    let form: DataForm

    init(_ form: DataForm) { self.form = form }

    /// A trimmed single value; nil when absent or empty.
    func text(_ variable: String) -> String? {
        guard let value = form.values(variable).first?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    func required(_ variable: String, _ label: String) throws(AdHocInputError) -> String {
        guard let value = text(variable) else { throw AdHocInputError("\(label) is required.") }
        return value
    }

    /// Multi-line values, one entry per line, blank lines dropped.
    func lines(_ variable: String) -> [String] {
        form.values(variable).flatMap { $0.split(whereSeparator: \.isNewline) }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func bool(_ variable: String) throws(AdHocInputError) -> Bool? {
        guard let value = text(variable) else { return nil }
        switch value.lowercased() {
        case "1", "true": return true
        case "0", "false": return false
        default: throw AdHocInputError("\(variable) must be true or false.")
        }
    }

    func principals(_ variable: String) throws(ChatRuleError) -> [Principal] {
        try Principal.list(lines(variable))
    }

    /// Bare JIDs, lowercased.
    func jids(_ variable: String) throws(AdHocInputError) -> [String] {
        var result: [String] = []
        for line in lines(variable) {
            guard let jid = try? JID(line) else { throw AdHocInputError("\(line.prefix(300)) is not a valid JID.") }
            result.append(jid.bare.description.lowercased())
        }
        return result
    }

    /// A value from a fixed set (a list-single field).
    func choice<T: RawRepresentable>(_ variable: String, _ type: T.Type) throws(AdHocInputError) -> T? where T.RawValue == String {
        guard let value = text(variable) else { return nil }
        guard let choice = T(rawValue: value.lowercased()) else { throw AdHocInputError("\(value.prefix(100)) is not a valid \(variable).") }
        return choice
    }

    /// Values from a fixed set (a list-multi field).
    func choices<T: RawRepresentable>(_ variable: String, _ type: T.Type) throws(AdHocInputError) -> [T] where T.RawValue == String {
        var result: [T] = []
        for value in lines(variable) {
            guard let choice = T(rawValue: value.lowercased()) else { throw AdHocInputError("\(value.prefix(100)) is not a valid \(variable).") }
            result.append(choice)
        }
        return result
    }

    /// A XEP-0082 date-time or a day (its last instant when `endOfDay`).
    func date(_ variable: String, endOfDay: Bool = false) throws(AdHocInputError) -> Date? {
        guard let value = text(variable) else { return nil }
        if let date = Timestamp.parse(value) { return date }
        if let day = Timestamp.parse("\(value)T\(endOfDay ? "23:59:59.999" : "00:00:00")Z") { return day }
        throw AdHocInputError("\(value.prefix(100)) is not a date (2026-11-21 or 2026-11-21T18:00:00Z).")
    }
}
