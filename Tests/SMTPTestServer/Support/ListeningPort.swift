import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A loopback port for a server that must be told its port number before it starts (the
/// mailer's MAILER_METRICS_PORT, a PostgreSQL server), where port 0 cannot be used.
///
/// Not a port the kernel hands out (bind to port 0, read it, close): that port is from the
/// ephemeral range, which the kernel also gives to every outgoing connection as its local port.
/// With hundreds of test connections opened in parallel, one of them took such a port before
/// the server bound it, and the server failed with EADDRINUSE now and then. A port below the
/// ephemeral range is never handed out that way; only another explicit bind can take it, and
/// the random choice over thousands of ports makes that unlikely.
public enum ListeningPort {
    /// A port below the ephemeral range (or in `range`) that nothing was bound to a moment ago.
    public static func pick(from range: ClosedRange<Int>? = nil) -> Int {
        let range = range ?? candidates()
        for _ in 0..<200 {
            let port = Int.random(in: range)
            if let socket = LoopbackSocket.bound(to: port) {
                close(socket.descriptor)
                return port
            }
        }
        // Every try was taken (hardly possible): let the kernel choose, as before.
        guard let socket = LoopbackSocket.bound(to: 0) else { return 0 }
        close(socket.descriptor)
        return socket.port
    }

    /// From 10000 up to just below the kernel's ephemeral ports (32768 by default on Linux).
    public static func candidates() -> ClosedRange<Int> {
        let lowest = 10_000
        // "32768\t60999" on Linux; elsewhere IANA's dynamic range.
        let ephemeralStart = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
            .flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first }
            .flatMap { Int($0) } ?? 49_152
        // A system whose ephemeral range starts low leaves nothing below it worth using.
        return ephemeralStart > lowest + 1_000 ? lowest...(ephemeralStart - 1) : 1_024...(ephemeralStart - 1)
    }
}
