/// A header the API caller adds. Only names on an allow-list pass: the rest (From, Sender,
/// Received, Content-*, DKIM-*) would let a caller forge what the message claims to be.
public struct CustomHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Exact names allowed besides any `X-*`.
    public static let allowedNames = ["List-Unsubscribe", "List-Unsubscribe-Post", "References", "In-Reply-To"]

    /// Headers we write ourselves stay ours even with an X- prefix look-alike: none start with X-.
    static func isAllowed(_ name: String) -> Bool {
        name.lowercased().hasPrefix("x-") && name.utf8.count > 2 || allowedNames.contains { $0.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// The value as it goes on the wire, or the reason it cannot.
    func wireValue() throws(MessageError) -> String {
        guard !name.isEmpty, name.utf8.count <= 76, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
            throw MessageError(field: "headers", reason: "\"\(name.prefix(80))\" is not a header name: use letters, digits and '-' (no spaces or colons)")
        }
        guard Self.isAllowed(name) else {
            throw MessageError(field: "headers.\(name)", reason: "cannot be set: allowed are X-* and \(Self.allowedNames.joined(separator: ", "))")
        }
        if let reason = InjectionGuard.forbiddenCharacterReason(in: value) {
            throw MessageError(field: "headers.\(name)", reason: reason)
        }
        if value.utf8.count > 900 {
            throw MessageError(field: "headers.\(name)", reason: "is longer than 900 bytes (a header line may not pass 998)")
        }
        if EncodedWord.isRequired(for: value) {
            // Free text in X-* may be any script; the structured ones carry URLs and ids, which are ASCII.
            guard name.lowercased().hasPrefix("x-") else {
                throw MessageError(field: "headers.\(name)", reason: "must be printable ASCII without \"=?\" (URLs in <> and message ids), as it is not free text")
            }
            return EncodedWord.encode(value, firstWordMaxLength: HeaderFolding.maxLineLength - (name.utf8.count + 2)).joined(separator: " ")
        }
        return value
    }
}
