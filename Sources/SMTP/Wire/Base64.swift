import Foundation

/// AUTH exchanges are base64 lines (RFC 4954).
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}
