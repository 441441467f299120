/// A template that cannot be parsed. Positions are 1-based; the column counts
/// characters (not bytes) from the start of the line.
public struct MustacheParseError: Error, Sendable, CustomStringConvertible {
    public let templateName: String
    public let line: Int
    public let column: Int
    public let message: String

    public init(templateName: String, line: Int, column: Int, message: String) {
        self.templateName = templateName
        self.line = line
        self.column = column
        self.message = message
    }

    /// `name:line:column: message`, the shape editors and compilers use so locations are clickable.
    public var description: String { "\(templateName):\(line):\(column): \(message)" }
}

extension MustacheParseError {
    /// Builds an error from a byte offset; line and column are only worked out on this
    /// (rare) path so that parsing never has to track them.
    init(templateName: String, source: [UInt8], offset: Int, message: String) {
        let end = min(max(offset, 0), source.count)
        var line = 1
        var lineStart = 0
        for i in 0..<end where source[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        let column = String(decoding: source[lineStart..<end], as: UTF8.self).count + 1
        self.init(templateName: templateName, line: line, column: column, message: message)
    }
}
