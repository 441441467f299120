import Foundation
import Logging

/// How one event becomes one line.
public protocol LogLineFormat {
    static func line(level: Logger.Level, message: String, metadata: Logger.Metadata, date: Date) -> String
}

/// Writes each event as one line in `Format`, whole, to a sink (stdout by default).
public struct LineLogHandler<Format: LogLineFormat>: LogHandler {
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
        sink.write(Format.line(level: event.level, message: "\(event.message)", metadata: merged, date: Date()))
    }

    static func line(level: Logger.Level, message: String, metadata: Logger.Metadata, date: Date) -> String {
        Format.line(level: level, message: message, metadata: metadata, date: date)
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
