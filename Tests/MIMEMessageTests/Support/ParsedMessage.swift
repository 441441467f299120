import Foundation

/// A minimal RFC 5322 / MIME reader for assertions: header unfolding, header lookup,
/// multipart splitting and body decoding.
struct ParsedMessage {
    var rawHeaderLines: [String]
    var headers: [(name: String, value: String)]
    var body: String

    init(_ bytes: [UInt8]) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw TestDecodingError.malformed("no header/body separator") }
        let headerBlock = String(text[..<split.lowerBound])
        body = String(text[split.upperBound...])
        rawHeaderLines = headerBlock.components(separatedBy: "\r\n")
        headers = []
        for line in rawHeaderLines {
            if line.first == " " || line.first == "\t" {
                guard !headers.isEmpty else { throw TestDecodingError.malformed("continuation first") }
                headers[headers.count - 1].value += line   // unfolding = removing the CRLF
            } else {
                guard let colon = line.firstIndex(of: ":") else { throw TestDecodingError.malformed("no colon: \(line)") }
                var value = String(line[line.index(after: colon)...])
                if value.first == " " { value.removeFirst() }
                headers.append((String(line[..<colon]), value))
            }
        }
    }

    init(_ text: String) throws { try self.init(Array(text.utf8)) }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func headerCount(_ name: String) -> Int {
        headers.filter { $0.name.lowercased() == name.lowercased() }.count
    }

    var boundary: String? {
        guard let type = header("Content-Type"), let r = type.range(of: "boundary=\"") else { return nil }
        let rest = type[r.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    /// Parts of a multipart body; the CRLF before each delimiter belongs to it.
    func parts() throws -> [ParsedMessage] {
        guard let boundary else { throw TestDecodingError.malformed("no boundary") }
        let delimiter = "--" + boundary
        let open = delimiter + "\r\n"
        let close = "\r\n" + delimiter + "--\r\n"
        guard body.hasPrefix(open) else { throw TestDecodingError.malformed("body does not start with delimiter") }
        guard let closeRange = body.range(of: close, options: .backwards), closeRange.upperBound == body.endIndex else {
            throw TestDecodingError.malformed("no close delimiter at the end")
        }
        let inner = String(decoding: Array(body[..<closeRange.lowerBound].utf8.dropFirst(open.utf8.count)), as: UTF8.self)
        return try inner.components(separatedBy: "\r\n" + delimiter + "\r\n").map { try ParsedMessage($0) }
    }

    /// The body with its transfer encoding undone.
    func decodedBody() throws -> String {
        switch header("Content-Transfer-Encoding")?.lowercased() {
        case "quoted-printable": return try QPDecoder.decodeString(body)
        case "7bit", nil: return body
        case "base64":
            guard let data = Data(base64Encoded: body.replacingOccurrences(of: "\r\n", with: "")) else {
                throw TestDecodingError.malformed("invalid base64")
            }
            return String(decoding: data, as: UTF8.self)
        case let other?: throw TestDecodingError.malformed("unexpected encoding \(other)")
        }
    }
}

/// Converts any newline convention to CRLF, for comparing with decoded bodies.
/// Scalar by scalar: Foundation's replacing works on Characters, and a line break followed by a
/// combining mark is not matched by "\n" there.
func crlf(_ s: String) -> String {
    var output = String.UnicodeScalarView()
    var previousWasCR = false
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\r":
            output.append(contentsOf: "\r\n".unicodeScalars)
            previousWasCR = true
            continue
        case "\n" where previousWasCR:
            break
        case "\n":
            output.append(contentsOf: "\r\n".unicodeScalars)
        default:
            output.append(scalar)
        }
        previousWasCR = false
    }
    return String(output)
}

/// Every line of `bytes` (split on CRLF) and a check that no CR or LF occurs alone.
func crlfLines(_ bytes: [UInt8]) -> (lines: [String], bareLineBreaks: Int) {
    var bare = 0
    for (i, b) in bytes.enumerated() {
        if b == 0x0D && (i + 1 >= bytes.count || bytes[i + 1] != 0x0A) { bare += 1 }
        if b == 0x0A && (i == 0 || bytes[i - 1] != 0x0D) { bare += 1 }
    }
    let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
    return (lines, bare)
}
