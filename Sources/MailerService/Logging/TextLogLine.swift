import Foundation
import Logging

/// MAILER_LOG_FORMAT=text: one logfmt line per event, for people reading a terminal.
///
/// `2026-12-06T19:30:00.123Z warning email deferred code=ETIMEDOUT email_id=0193… hint="…"`:
/// the same fields as the JSON lines, keys sorted, values quoted only when they need it.
public typealias TextLogHandler = LineLogHandler<TextLogLine>

public enum TextLogLine: LogLineFormat {
    public static func line(level: Logger.Level, message: String, metadata: Logger.Metadata, date: Date) -> String {
        var line = "\(JSONLogLine.timestamp(date)) \(level.rawValue) \(Self.plainMessage(message))"
        for key in metadata.keys.sorted() {
            line += " \(key)=\(Self.quoted(Self.text(metadata[key]!)))"
        }
        return line + "\n"
    }

    private static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): "[" + values.map(text).joined(separator: ",") + "]"
        case .dictionary(let dictionary): "{" + dictionary.keys.sorted().map { "\($0):\(text(dictionary[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    /// Bare when it is one word, else a JSON string: a value can never end the line or fake a key.
    private static func quoted(_ value: String) -> String {
        let bare = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "=" && $0 != "\\" }
        if bare { return value }
        var quoted = ""
        JSONLogLine.appendJSONString(value, to: &quoted)
        return quoted
    }

    /// Plain words stay readable; a message that could pass for two events or fake a `key=value`
    /// (it may quote configuration values) is written as a JSON string.
    private static func plainMessage(_ message: String) -> String {
        let plain = message.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F && $0 != "=" && $0 != "\"" && $0 != "\\" }
        if plain { return message }
        var escaped = ""
        JSONLogLine.appendJSONString(message, to: &escaped)
        return escaped
    }
}
