/// XEP-0004 data forms: what disco extensions (XEP-0128), room configuration and ad-hoc
/// commands exchange.
public struct DataForm: Sendable, Hashable {
    public static let namespace = "jabber:x:data"

    public enum FormType: String, Sendable { case form, submit, cancel, result }

    public struct Field: Sendable, Hashable {
        public var variable: String?
        public var type: String?
        public var label: String?
        public var values: [String]
        /// (label, value) pairs for list-single / list-multi.
        public var options: [(label: String?, value: String)]
        public var required: Bool

        public init(_ variable: String?, type: String? = nil, label: String? = nil, values: [String] = [],
                    options: [(label: String?, value: String)] = [], required: Bool = false) {
            self.variable = variable
            self.type = type
            self.label = label
            self.values = values
            self.options = options
            self.required = required
        }

        public var value: String? { values.first }

        public static func == (lhs: Field, rhs: Field) -> Bool {
            lhs.variable == rhs.variable && lhs.type == rhs.type && lhs.label == rhs.label && lhs.values == rhs.values
                && lhs.required == rhs.required && lhs.options.map(\.value) == rhs.options.map(\.value)
                && lhs.options.map(\.label) == rhs.options.map(\.label)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(variable)
            hasher.combine(values)
        }
    }

    public var type: FormType
    public var title: String?
    public var instructions: String?
    public var fields: [Field]
    /// Multi-item results (XEP-0004 §3.4): the column header and one row of fields per item.
    public var reported: [Field] = []
    public var items: [[Field]] = []

    public init(type: FormType, formType: String? = nil, title: String? = nil, instructions: String? = nil, fields: [Field] = []) {
        self.type = type
        self.title = title
        self.instructions = instructions
        self.fields = []
        if let formType { self.fields.append(Field("FORM_TYPE", type: "hidden", values: [formType])) }
        self.fields.append(contentsOf: fields)
    }

    /// The form's FORM_TYPE, when it has one.
    public var formType: String? { self["FORM_TYPE"].flatMap(\.values.first) }

    public subscript(variable: String) -> Field? {
        fields.first { $0.variable == variable }
    }

    /// The values of a field (empty when absent).
    public func values(_ variable: String) -> [String] { self[variable]?.values ?? [] }

    /// A boolean field's value: "1"/"true" → true, "0"/"false" → false, absent → nil.
    public func bool(_ variable: String) -> Bool? {
        switch self[variable]?.values.first {
        case "1", "true": true
        case "0", "false": false
        default: nil
        }
    }

    public init?(_ element: XMLElement) {
        guard element.name == "x", element.namespace == Self.namespace,
              let type = element[attribute: "type"].flatMap(FormType.init(rawValue:)) else { return nil }
        self.type = type
        title = element.child("title", namespace: Self.namespace)?.text
        instructions = element.child("instructions", namespace: Self.namespace)?.text
        fields = Self.fields(of: element)
        reported = element.child("reported", namespace: Self.namespace).map(Self.fields(of:)) ?? []
        items = element.children("item", namespace: Self.namespace).map(Self.fields(of:))
    }

    private static func fields(of element: XMLElement) -> [Field] {
        element.children("field", namespace: namespace).map { field in
            Field(field[attribute: "var"], type: field[attribute: "type"], label: field[attribute: "label"],
                  values: field.children("value", namespace: namespace).map(\.text),
                  options: field.children("option", namespace: namespace).map {
                      (label: $0[attribute: "label"], value: $0.child("value", namespace: namespace)?.text ?? "")
                  },
                  required: field.child("required", namespace: namespace) != nil)
        }
    }

    public var element: XMLElement {
        var x = XMLElement("x", namespace: Self.namespace, attributes: ["type": type.rawValue])
        if let title { x.append(Self.textElement("title", title)) }
        if let instructions { x.append(Self.textElement("instructions", instructions)) }
        // A result's own fields keep their labels: clients that show no table show these.
        for field in fields { x.append(element(for: field, labels: type == .result)) }
        if !reported.isEmpty {
            x.append(XMLElement("reported", namespace: Self.namespace, children: reported.map { .element(element(for: $0, labels: true)) }))
        }
        for item in items {
            x.append(XMLElement("item", namespace: Self.namespace, children: item.map { .element(element(for: $0)) }))
        }
        return x
    }

    private func element(for field: Field, labels: Bool = false) -> XMLElement {
        var attributes: [String: String] = [:]
        if let variable = field.variable { attributes["var"] = variable }
        if let type = field.type, self.type != .submit { attributes["type"] = type }
        if let label = field.label, self.type == .form || labels { attributes["label"] = label }
        var element = XMLElement("field", namespace: Self.namespace, attributes: attributes)
        if field.required, self.type == .form { element.append(XMLElement("required", namespace: Self.namespace)) }
        for value in field.values { element.append(Self.textElement("value", value)) }
        if self.type == .form {
            for option in field.options {
                var o = XMLElement("option", namespace: Self.namespace, attributes: option.label.map { ["label": $0] } ?? [:])
                o.append(Self.textElement("value", option.value))
                element.append(o)
            }
        }
        return element
    }

    private static func textElement(_ name: String, _ text: String) -> XMLElement {
        var element = XMLElement(name, namespace: namespace)
        element.append(text: text)
        return element
    }
}
