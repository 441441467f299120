import Foundation

/// The position after the last email of a page, handed out as an opaque token.
///
/// It holds the row's insertion sequence number, not a time: sequence numbers never repeat and only
/// grow, so pages stay stable while new emails arrive (they land before the first page) and two
/// emails accepted in the same millisecond are never skipped or shown twice.
package struct ListCursor: Equatable {
    package var sequence: Int64

    private static let prefix = "outbox:v1:"

    package var token: String {
        Data((Self.prefix + String(sequence)).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    package init(sequence: Int64) {
        self.sequence = sequence
    }

    package init(token: String) throws {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
              let text = String(data: data, encoding: .utf8),
              text.hasPrefix(Self.prefix),
              let sequence = Int64(text.dropFirst(Self.prefix.count)),
              sequence > 0
        else {
            throw OutboxError.invalidCursor(token)
        }
        self.sequence = sequence
    }
}
