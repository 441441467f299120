import Foundation
import Logging

/// One JSON object per line on stdout, for `docker compose logs` and log shippers alike.
///
/// Keys: `ts` (RFC 3339, UTC, milliseconds), `level`, `msg`, then the metadata flattened into the
/// same object (`email_id`, `code`, `hint`, ...), so people can grep and machines can parse.
public typealias JSONLogHandler = LineLogHandler<JSONLogLine>

public enum JSONLogLine: LogLineFormat {
    public static func line(level: Logger.Level, message: String, metadata: Logger.Metadata, date: Date) -> String {
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
