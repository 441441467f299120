/// The header fields of a message, as byte ranges of the original, in order.
struct HeaderFields {
    struct Field {
        /// Lower-cased name.
        let name: String
        /// The whole field: name, colon, value and its continuation lines, without the final CRLF.
        let raw: ArraySlice<UInt8>
    }

    let fields: [Field]
    /// Everything after the empty line that ends the header.
    let body: ArraySlice<UInt8>

    init(message: [UInt8]) {
        var fields: [Field] = []
        var fieldStart: Int?
        var bodyStart = message.count
        /// Ends the current field before the line break that starts at `lineBreak`.
        func finish(before lineBreak: Int) {
            guard let start = fieldStart else { return }
            var stop = lineBreak
            if stop > start && message[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
            let raw = message[start..<stop]
            let name = raw.prefix { $0 != UInt8(ascii: ":") }
            fields.append(Field(name: String(decoding: name, as: UTF8.self).trimmingSpaces().lowercased(), raw: raw))
            fieldStart = nil
        }
        var index = 0
        while index < message.count {
            var end = index
            while end < message.count && message[end] != UInt8(ascii: "\n") { end += 1 }
            let lineIsEmpty = end == index || (end == index + 1 && message[index] == UInt8(ascii: "\r"))
            if lineIsEmpty {
                finish(before: index)
                bodyStart = min(end + 1, message.count)
                break
            }
            let first = message[index]
            if first != UInt8(ascii: " ") && first != UInt8(ascii: "\t") {
                finish(before: index)
                fieldStart = index
            }
            index = end + 1
        }
        // A header without the empty line (and so without a body) ends with the message.
        if fieldStart != nil {
            var stop = message.count
            if stop > 0 && message[stop - 1] == UInt8(ascii: "\n") { stop -= 1 }
            finish(before: stop)
        }
        self.fields = fields
        self.body = message[bodyStart...]
    }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
