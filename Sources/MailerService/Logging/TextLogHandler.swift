import Foundation
import Logging

/// MAILER_LOG_FORMAT=text: one logfmt line per event, for people reading a terminal.
///
/// `2026-12-06T19:30:00.123Z warning email deferred code=ETIMEDOUT email_id=0193… hint="…"`:
/// the same fields as the JSON lines, keys sorted, values quoted only when they need it.
public struct TextLogHandler: LogHandler {
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
        var line = "\(JSONLogHandler.timestamp(date)) \(level.rawValue) \(Self.singleLine(message))"
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
        JSONLogHandler.appendJSONString(value, to: &quoted)
        return quoted
    }

    /// A message with a line break would pass for two events.
    private static func singleLine(_ message: String) -> String {
        guard message.contains(where: { $0.isNewline }) else { return message }
        var escaped = ""
        JSONLogHandler.appendJSONString(message, to: &escaped)
        return escaped
    }
}

/// MAILER_LOG_FORMAT: `json` (default: one JSON object per line) or `text` (logfmt).
public enum LogFormat: String, Sendable, CaseIterable {
    case json, text

    /// The handler factory for `LoggingSystem.bootstrap`.
    public func handler(level: Logger.Level, sink: LogSink = .standardOutput) -> @Sendable (String) -> any LogHandler {
        switch self {
        case .json: { label in JSONLogHandler(label: label, level: level, sink: sink) }
        case .text: { label in TextLogHandler(label: label, level: level, sink: sink) }
        }
    }
}
