/// RFC 6376 §3.4.2 and §3.4.4: the "relaxed" forms, which survive the rewrapping, re-spacing
/// and header re-folding that relays commonly do.
enum RelaxedCanonicalization {
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let colon = UInt8(ascii: ":")

    /// One header field (name, colon, value, folded lines included, without the final CRLF):
    /// lower-case name, unfolded value, whitespace runs as one space, none around the colon or at
    /// the end. Returned with CRLF, as it enters the hash.
    static func header(_ field: ArraySlice<UInt8>) -> [UInt8] {
        guard let colonIndex = field.firstIndex(of: colon) else { return [] }
        var output: [UInt8] = []
        output.reserveCapacity(field.count + 2)
        for byte in field[field.startIndex..<colonIndex] where byte != space && byte != tab && byte != cr && byte != lf {
            output.append(byte >= 65 && byte <= 90 ? byte + 32 : byte)
        }
        output.append(colon)
        var pendingSpace = false
        var started = false
        for byte in field[(colonIndex + 1)...] {
            if byte == cr || byte == lf { continue }
            if byte == space || byte == tab {
                pendingSpace = started
                continue
            }
            if pendingSpace { output.append(space) }
            pendingSpace = false
            started = true
            output.append(byte)
        }
        output.append(cr)
        output.append(lf)
        return output
    }

    /// The body with CRLF line endings: whitespace runs as one space, none at line ends, no empty
    /// lines at the end; a non-empty body ends with CRLF, an empty one stays empty (RFC 6376 erratum 3133).
    static func body(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(body.count + 2)
        var emptyLinesPending = 0
        var line: [UInt8] = []
        var index = body.startIndex
        while index < body.endIndex {
            var end = index
            while end < body.endIndex && body[end] != lf { end += 1 }
            var lineEnd = end
            if lineEnd > index && body[lineEnd - 1] == cr { lineEnd -= 1 }
            line.removeAll(keepingCapacity: true)
            var pendingSpace = false
            for byte in body[index..<lineEnd] {
                if byte == space || byte == tab {
                    pendingSpace = true
                    continue
                }
                if pendingSpace { line.append(space) }
                pendingSpace = false
                line.append(byte)
            }
            // A final line without CRLF still counts as a line of the body.
            if line.isEmpty {
                emptyLinesPending += 1
            } else {
                for _ in 0..<emptyLinesPending { output.append(contentsOf: [cr, lf]) }
                emptyLinesPending = 0
                output.append(contentsOf: line)
                output.append(contentsOf: [cr, lf])
            }
            index = end < body.endIndex ? end + 1 : end
        }
        return output
    }
}
