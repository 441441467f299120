import Foundation

/// AUTH exchanges are base64 lines (RFC 4954).
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Nil for text that is not base64; "=" (RFC 4954's empty response) is an empty array.
    static func decode(_ text: String) -> [UInt8]? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "=" { return [] }
        return Data(base64Encoded: trimmed).map { Array($0) }
    }
}
