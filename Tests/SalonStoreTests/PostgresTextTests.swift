import Testing
@testable import SalonStore

/// The NUL check both backends apply to every stored text.
@Suite struct PostgresTextTests {
    @Test(arguments: [
        ("", true), ("a", true), ("naïve café", true), (String(repeating: "x", count: 5000), true),
        ("\u{0}", false), ("a\u{0}b", false), (String(repeating: "x", count: 5000) + "\u{0}", false),
    ])
    func aTextIsStorableUnlessItHoldsANul(_ text: String, _ storable: Bool) {
        #expect(PostgresText.isStorable(text) == storable)
        // A string made from a slice, and one made from bytes: the same answer.
        #expect(PostgresText.isStorable(String(text[...])) == storable)
        #expect(PostgresText.isStorable(String(decoding: Array(text.utf8), as: UTF8.self)) == storable)
    }
}
