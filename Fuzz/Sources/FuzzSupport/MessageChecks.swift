import Foundation

/// What a serialised message must look like whatever went into it (RFC 5322, RFC 2045/2046):
/// CRLF line ends only, lines of at most 998 bytes, 7-bit unless allowed otherwise, and a
/// header and MIME structure that holds exactly the fields and parts that were put in, so no
/// input text can have started a header line or a body part of its own.
public struct MessageShape {
    /// Top-level header field names, in order, as they appear.
    public var headerNames: [String] = []
    /// Leaf parts of the MIME tree, each with its header field names.
    public var leaves: [[String]] = []
}

public func checkMessage(_ message: [UInt8], allowUTF8: Bool) -> MessageShape {
    check(message.count >= 2 && message.suffix(2).elementsEqual([13, 10]), "message does not end with CRLF")
    var lineLength = 0
    for (index, byte) in message.enumerated() {
        if byte == 13 {
            check(index + 1 < message.count && message[index + 1] == 10, "bare CR at byte \(index)")
        } else if byte == 10 {
            check(index > 0 && message[index - 1] == 13, "bare LF at byte \(index)")
            check(lineLength - 1 <= 998, "line of \(lineLength - 1) bytes ends at byte \(index)")
            lineLength = 0
            continue
        } else if byte == 0 {
            check(false, "NUL at byte \(index)")
        } else if byte >= 0x80 {
            check(allowUTF8, "8-bit byte 0x\(String(byte, radix: 16)) at byte \(index)")
        }
        lineLength += 1
    }

    var shape = MessageShape()
    let (headers, body) = splitEntity(message[...])
    shape.headerNames = headers.map(\.name)
    walk(headers: headers, body: body, into: &shape, depth: 0)
    return shape
}

private typealias Field = (name: String, value: [UInt8])

/// Header fields (unfolded) and body of an entity: the part up to the first empty line.
private func splitEntity(_ bytes: ArraySlice<UInt8>) -> ([Field], ArraySlice<UInt8>) {
    var fields: [Field] = []
    var index = bytes.startIndex
    while true {
        guard let lf = bytes[index...].firstIndex(of: 10) else {
            check(false, "header section without an end")
            return (fields, [])
        }
        let line = bytes[index..<(lf - 1)]
        index = lf + 1
        if line.isEmpty { return (fields, bytes[index...]) }
        if line.first == 32 || line.first == 9 {
            check(!fields.isEmpty, "folded line before any header field")
            check(line.contains { $0 != 32 && $0 != 9 }, "header line of whitespace only")
            fields[fields.count - 1].value += [32] + line.drop { $0 == 32 || $0 == 9 }
            continue
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            check(false, "header line without a colon: \(String(decoding: line.prefix(80), as: UTF8.self))")
            return (fields, [])
        }
        let name = line[line.startIndex..<colon]
        check(!name.isEmpty && name.allSatisfy { $0 > 32 && $0 < 127 }, "bad header field name")
        fields.append((String(decoding: name, as: UTF8.self), Array(line[(colon + 1)...])))
    }
}

private func walk(headers: [Field], body: ArraySlice<UInt8>, into shape: inout MessageShape, depth: Int) {
    check(depth < 8, "MIME tree deeper than 8")
    let contentTypes = headers.filter { $0.name.lowercased() == "content-type" }
    check(contentTypes.count == 1, "entity with \(contentTypes.count) Content-Type fields")
    let type = String(decoding: contentTypes[0].value, as: UTF8.self).trimmingSpaces
    guard type.lowercased().hasPrefix("multipart/") else {
        shape.leaves.append(headers.map(\.name))
        return
    }
    guard let boundary = boundaryParameter(type) else {
        check(false, "multipart without a boundary: \(type)")
        return
    }
    let pieces = split(body, on: Array("--\(boundary)".utf8))
    check(pieces.count >= 3, "multipart with \(pieces.count - 2) parts")
    check(pieces.first!.isEmpty, "text before the first boundary")
    check(pieces.last!.elementsEqual(Array("--\r\n".utf8)), "text after the closing boundary")
    for piece in pieces.dropFirst().dropLast() {
        check(piece.starts(with: [13, 10]) && piece.count >= 4 && piece.suffix(2).elementsEqual([13, 10]), "boundary not on a line of its own")
        let inner = piece.dropFirst(2).dropLast(2)
        let (partHeaders, partBody) = splitEntity(inner)
        let names = partHeaders.map { $0.name.lowercased() }
        check(Set(names).count == names.count, "part repeats a header field: \(names)")
        check(names.allSatisfy { ["content-type", "content-transfer-encoding", "content-disposition", "content-id"].contains($0) },
              "part header field that was not written by the MIME writer: \(names)")
        walk(headers: partHeaders, body: partBody, into: &shape, depth: depth + 1)
    }
}

private func boundaryParameter(_ type: String) -> String? {
    guard let range = type.range(of: "boundary=\"") else { return nil }
    let rest = type[range.upperBound...]
    guard let end = rest.firstIndex(of: "\"") else { return nil }
    return String(rest[..<end])
}

private func split(_ bytes: ArraySlice<UInt8>, on needle: [UInt8]) -> [ArraySlice<UInt8>] {
    var pieces: [ArraySlice<UInt8>] = []
    var start = bytes.startIndex
    var index = bytes.startIndex
    while index + needle.count <= bytes.endIndex {
        if bytes[index..<(index + needle.count)].elementsEqual(needle) {
            pieces.append(bytes[start..<index])
            index += needle.count
            start = index
        } else {
            index += 1
        }
    }
    pieces.append(bytes[start...])
    return pieces
}

extension String {
    var trimmingSpaces: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
