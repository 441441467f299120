import Foundation

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
