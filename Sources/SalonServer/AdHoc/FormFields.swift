import XMPPCore

/// Form fields by XEP-0004 type, so forms read like their spec.
extension DataForm.Field {
    static func text(_ variable: String, _ label: String, _ value: String? = nil, required: Bool = false) -> Self {
        Self(variable, type: "text-single", label: label, values: value.map { [$0] } ?? [], required: required)
    }

    static func textMulti(_ variable: String, _ label: String, _ values: [String] = []) -> Self {
        Self(variable, type: "text-multi", label: label, values: values)
    }

    static func jidSingle(_ variable: String, _ label: String, _ value: String? = nil, required: Bool = false) -> Self {
        Self(variable, type: "jid-single", label: label, values: value.map { [$0] } ?? [], required: required)
    }

    static func jidMulti(_ variable: String, _ label: String, _ values: [String] = [], required: Bool = false) -> Self {
        Self(variable, type: "jid-multi", label: label, values: values, required: required)
    }

    static func boolean(_ variable: String, _ label: String, _ value: Bool) -> Self {
        Self(variable, type: "boolean", label: label, values: [value ? "1" : "0"])
    }

    static func listSingle(_ variable: String, _ label: String, _ value: String?, options: [String], required: Bool = false) -> Self {
        Self(variable, type: "list-single", label: label, values: value.map { [$0] } ?? [],
             options: options.map { (label: $0, value: $0) }, required: required)
    }

    static func listMulti(_ variable: String, _ label: String, _ values: [String], options: [String]) -> Self {
        Self(variable, type: "list-multi", label: label, values: values, options: options.map { (label: $0, value: $0) })
    }

    /// A list-single over every case of an enum, labelled capitalised.
    static func choice<T: RawRepresentable & CaseIterable>(_ variable: String, _ label: String, _ value: T) -> Self where T.RawValue == String {
        Self(variable, type: "list-single", label: label, values: [value.rawValue],
             options: T.allCases.map { (label: $0.rawValue.capitalized, value: $0.rawValue) })
    }

    static func privateText(_ variable: String, _ label: String, required: Bool = false) -> Self {
        Self(variable, type: "text-private", label: label, required: required)
    }

    static func hidden(_ variable: String, _ value: String) -> Self {
        Self(variable, type: "hidden", values: [value])
    }

    static func fixed(_ variable: String?, _ label: String?, _ value: String) -> Self {
        Self(variable, type: "fixed", label: label, values: [value])
    }
}
