import Foundation
import Logging

/// One JSON object per line on stdout, for `docker compose logs` and log shippers alike.
///
/// Keys: `ts` (RFC 3339, UTC, milliseconds), `level`, `msg`, then the metadata flattened into the
/// same object (`email_id`, `code`, `hint`, ...), so people can grep and machines can parse.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: LogSink

    public init(label: String, level: Logger.Level = .info, sink: LogSink = .standardOutput) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        sink.write(Self.line(level: event.level, message: "\(event.message)", metadata: merged, date: Date()))
    }

    static func line(level: Logger.Level, message: String, metadata: Logger.Metadata, date: Date) -> String {
        var line = "{\"ts\":\"\(Self.timestamp(date))\",\"level\":\"\(level.rawValue)\",\"msg\":"
        appendJSONString(message, to: &line)
        for key in metadata.keys.sorted() where !["ts", "level", "msg"].contains(key) {
            line += ","
            appendJSONString(key, to: &line)
            line += ":"
            appendValue(metadata[key]!, to: &line)
        }
        line += "}\n"
        return line
    }

    private static func appendValue(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let string): appendJSONString(string, to: &line)
        case .stringConvertible(let convertible):
            // Numbers and booleans stay JSON numbers and booleans, so `"code":550` can be compared.
            if let int = convertible as? any BinaryInteger { line += "\(int)" }
            else if let bool = convertible as? Bool { line += bool ? "true" : "false" }
            else if let double = convertible as? Double, double.isFinite { line += "\(double)" }
            else { appendJSONString(convertible.description, to: &line) }
        case .array(let values):
            line += "["
            for (index, element) in values.enumerated() {
                if index > 0 { line += "," }
                appendValue(element, to: &line)
            }
            line += "]"
        case .dictionary(let dictionary):
            line += "{"
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { line += "," }
                appendJSONString(key, to: &line)
                line += ":"
                appendValue(dictionary[key]!, to: &line)
            }
            line += "}"
        }
    }

    static func appendJSONString(_ string: String, to line: inout String) {
        line += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case let s where s.value < 0x20 || s.value == 0x2028 || s.value == 0x2029:
                line += String(format: "\\u%04x", s.value)
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }

    private static let formatStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    static func timestamp(_ date: Date) -> String {
        date.formatted(formatStyle)
    }
}

/// Where log lines go. Whole lines are written with one `write` so concurrent loggers never interleave.
public struct LogSink: Sendable {
    private let body: @Sendable (String) -> Void

    public init(_ body: @escaping @Sendable (String) -> Void) {
        self.body = body
    }

    public static let standardOutput = LogSink { line in
        var line = line
        line.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    func write(_ line: String) { body(line) }
}
