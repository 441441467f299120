/// A node of the MIME tree (RFC 2046): a leaf with its own headers and encoded content, or a
/// multipart of other parts. Rendering picks for each multipart a boundary that occurs in none
/// of the content beneath it.
indirect enum MIMEPart {
    /// `body` is 7-bit, CRLF-separated, without a trailing line break of its own.
    case leaf(headers: [(String, String)], body: [UInt8])
    /// `subtype` such as "alternative"; `parameters` are added after the boundary, e.g. `type="text/html"`.
    case multipart(subtype: String, parameters: String, parts: [MIMEPart])

    /// The part's own headers and body; for a multipart, with the chosen boundary.
    func rendered(boundaryGenerator: () -> String) throws(MessageError) -> (headers: [(String, String)], body: [UInt8]) {
        switch self {
        case .leaf(let headers, let body):
            return (headers, body)
        case .multipart(let subtype, let parameters, let parts):
            var texts: [[UInt8]] = []
            texts.reserveCapacity(parts.count)
            for part in parts {
                let child = try part.rendered(boundaryGenerator: boundaryGenerator)
                var text: [UInt8] = []
                text.reserveCapacity(child.body.count + 200)
                for (name, value) in child.headers {
                    HeaderFolding.append(name: name, value: value, to: &text)
                    text.append(contentsOf: LineEndings.crlf)
                }
                text.append(contentsOf: LineEndings.crlf)
                text.append(contentsOf: child.body)
                texts.append(text)
            }
            let boundary = try Self.chooseBoundary(avoiding: texts, generator: boundaryGenerator)
            // The CRLF before each delimiter belongs to the delimiter (RFC 2046 5.1.1), so a
            // part's content ends exactly where its text ends.
            let delimiter = Array("--\(boundary)".utf8)
            var body: [UInt8] = []
            body.reserveCapacity(texts.reduce(0) { $0 + $1.count } + (texts.count + 1) * (delimiter.count + 6))
            for text in texts {
                if !body.isEmpty { body.append(contentsOf: LineEndings.crlf) }
                body.append(contentsOf: delimiter)
                body.append(contentsOf: LineEndings.crlf)
                body.append(contentsOf: text)
            }
            body.append(contentsOf: LineEndings.crlf)
            body.append(contentsOf: delimiter)
            body.append(contentsOf: "--\r\n".utf8)
            let type = "multipart/\(subtype); boundary=\"\(boundary)\"" + (parameters.isEmpty ? "" : "; " + parameters)
            return ([("Content-Type", type)], body)
        }
    }

    private static func chooseBoundary(avoiding texts: [[UInt8]], generator: () -> String) throws(MessageError) -> String {
        for _ in 0..<MIMEBoundary.maxAttempts {
            let candidate = generator()
            if MIMEBoundary.isUsable(candidate, with: texts) { return candidate }
        }
        throw MessageError(field: "Content-Type", reason: "could not find a MIME boundary absent from the body")
    }
}
