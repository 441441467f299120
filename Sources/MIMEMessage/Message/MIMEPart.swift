/// A node of the MIME tree (RFC 2046): a leaf with its own headers and encoded content, or a
/// multipart of other parts. Rendering picks for each multipart a boundary that occurs in none
/// of the content beneath it.
indirect enum MIMEPart {
    /// `body` is 7-bit, CRLF-separated, without a trailing line break of its own.
    case leaf(headers: [(String, String)], body: String)
    /// `subtype` such as "alternative"; `parameters` are added after the boundary, e.g. `type="text/html"`.
    case multipart(subtype: String, parameters: String, parts: [MIMEPart])

    /// The part's own headers and body; for a multipart, with the chosen boundary.
    func rendered(boundaryGenerator: () -> String) throws(MessageError) -> (headers: [(String, String)], body: String) {
        switch self {
        case .leaf(let headers, let body):
            return (headers, body)
        case .multipart(let subtype, let parameters, let parts):
            var children: [(headers: [(String, String)], body: String)] = []
            for part in parts {
                children.append(try part.rendered(boundaryGenerator: boundaryGenerator))
            }
            let texts = children.map { child in
                child.headers.map { HeaderFolding.fold(name: $0.0, value: $0.1) + "\r\n" }.joined() + "\r\n" + child.body
            }
            let boundary = try Self.chooseBoundary(avoiding: texts, generator: boundaryGenerator)
            // The CRLF before each delimiter belongs to the delimiter (RFC 2046 5.1.1), so a
            // part's content ends exactly where its text ends.
            var body = ""
            for text in texts {
                body += (body.isEmpty ? "" : "\r\n") + "--\(boundary)\r\n" + text
            }
            body += "\r\n--\(boundary)--\r\n"
            let type = "multipart/\(subtype); boundary=\"\(boundary)\"" + (parameters.isEmpty ? "" : "; " + parameters)
            return ([("Content-Type", type)], body)
        }
    }

    private static func chooseBoundary(avoiding texts: [String], generator: () -> String) throws(MessageError) -> String {
        for _ in 0..<MIMEBoundary.maxAttempts {
            let candidate = generator()
            if MIMEBoundary.isUsable(candidate, with: texts) { return candidate }
        }
        throw MessageError(field: "Content-Type", reason: "could not find a MIME boundary absent from the body")
    }
}
