import Crypto
import Foundation

/// Signs finished messages for one domain and selector (RFC 6376; RFC 8463 for Ed25519), with
/// relaxed/relaxed canonicalisation, so that relays that re-fold headers or trim trailing
/// spaces do not break the signature.
public struct DKIMSigner: Sendable {
    /// Signed when present, in this order. From is listed once more than it occurs
    /// ("oversigned"), so that nobody can add a second From to a signed message.
    public static let signedHeaders = [
        "from", "to", "cc", "subject", "date", "message-id", "mime-version", "content-type",
        "reply-to", "list-unsubscribe", "list-unsubscribe-post", "in-reply-to", "references",
    ]

    public let domain: String
    public let selector: String
    public let key: DKIMPrivateKey

    public init(domain: String, selector: String, key: DKIMPrivateKey) {
        self.domain = domain
        self.selector = selector
        self.key = key
    }

    /// The message with a DKIM-Signature header in front. `message` uses CRLF line endings.
    public func sign(_ message: [UInt8], at time: Date = Date()) throws -> [UInt8] {
        let header = try signatureHeader(for: message, at: time)
        return Array(header.utf8) + message
    }

    /// The DKIM-Signature field, folded, with its final CRLF.
    public func signatureHeader(for message: [UInt8], at time: Date = Date()) throws -> String {
        let parsed = HeaderFields(message: message)
        let bodyHash = Data(SHA256.hash(data: RelaxedCanonicalization.body(parsed.body))).base64EncodedString()

        // h= lists each present field as often as it occurs (bottom-up selection, RFC 6376 §5.4.2), plus one extra From.
        var names: [String] = []
        for name in Self.signedHeaders {
            let count = parsed.fields.filter { $0.name == name }.count
            names += Array(repeating: name, count: count + (name == "from" ? 1 : 0))
        }
        var hashed: [UInt8] = []
        var used: [String: Int] = [:]
        for name in names {
            let instances = parsed.fields.filter { $0.name == name }
            let taken = used[name, default: 0]
            guard taken < instances.count else { continue }
            used[name] = taken + 1
            hashed += RelaxedCanonicalization.header(instances[instances.count - 1 - taken].raw)
        }

        let tags = [
            "v=1", "a=\(key.algorithm)", "c=relaxed/relaxed", "d=\(domain)", "s=\(selector)",
            "t=\(Int(time.timeIntervalSince1970))", "h=\(names.joined(separator: ":"))", "bh=\(bodyHash)", "b=",
        ]
        let unsigned = Self.fold("DKIM-Signature: ", tags)
        // The field itself is hashed last, with an empty b= and without its final CRLF (§3.7).
        var input = hashed
        input += RelaxedCanonicalization.header(ArraySlice(unsigned.utf8)).dropLast(2)
        let signature = Data(try key.sign(input)).base64EncodedString()
        return unsigned + Self.wrap(signature, firstLineRoom: 78 - (Self.lastLineLength(unsigned))) + "\r\n"
    }

    /// Tags separated by "; ", folded before a tag that would pass 78 columns.
    private static func fold(_ start: String, _ tags: [String]) -> String {
        var text = start
        var column = start.count
        var lineHasTag = false
        for (index, tag) in tags.enumerated() {
            let piece = tag + (index == tags.count - 1 ? "" : ";")
            if lineHasTag && column + 1 + piece.count > 78 {
                text += "\r\n\t"
                column = 1
            } else if lineHasTag {
                text += " "
                column += 1
            }
            text += piece
            column += piece.count
            lineHasTag = true
        }
        return text
    }

    /// The b= value, broken into lines with folding whitespace, which verifiers remove (§3.5).
    private static func wrap(_ value: String, firstLineRoom: Int) -> String {
        var text = ""
        var rest = Substring(value)
        var room = max(8, firstLineRoom)
        while !rest.isEmpty {
            if !text.isEmpty { text += "\r\n\t" }
            text += rest.prefix(room)
            rest = rest.dropFirst(room)
            room = 72
        }
        return text
    }

    private static func lastLineLength(_ text: String) -> Int {
        guard let range = text.range(of: "\r\n", options: .backwards) else { return text.count }
        return text[range.upperBound...].count
    }
}
