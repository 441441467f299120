import Foundation
import NIOCore
import NIOPosix

/// Why `mailer healthcheck` got no answer, in one line that names the likely cause.
public struct HealthProbeError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    init(timedOut url: URL, after timeout: Duration) {
        self.init("no answer from \(url.absoluteString) within \(Self.seconds(timeout)) s (--timeout)")
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value == value.rounded() ? String(Int(value)) : String(value)
    }

    init(connecting error: any Error, to address: String, url: URL, timeout: Duration) {
        if let error = error as? ChannelError, case .connectTimeout = error {
            self.init(timedOut: url, after: timeout)
        } else if Self.isRefused(error) {
            self.init("nothing listens on \(address) (connection refused): is `mailer serve` running, and is MAILER_PORT (or --url) its port?")
        } else {
            self.init("cannot connect to \(address): \(error)")
        }
    }

    /// NIO reports a refused connection as an IOError, or inside the NIOConnectionError of its
    /// resolving connect, one per address tried.
    private static func isRefused(_ error: any Error) -> Bool {
        if let error = error as? IOError { return error.errnoCode == ECONNREFUSED }
        if let error = error as? NIOConnectionError {
            return !error.connectionErrors.isEmpty && error.connectionErrors.allSatisfy { isRefused($0.error) }
        }
        return false
    }
}
