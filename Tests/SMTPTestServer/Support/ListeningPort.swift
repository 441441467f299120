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
            if isFree(port) { return port }
        }
        // Every try was taken (hardly possible): let the kernel choose, as before.
        return kernelChosen()
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

    private static func isFree(_ port: Int) -> Bool {
        bound(to: port) != nil
    }

    private static func kernelChosen() -> Int {
        bound(to: 0) ?? 0
    }

    /// Binds a socket to `port` on 127.0.0.1 and closes it; the port bound, nil when taken.
    private static func bound(to port: Int) -> Int? {
        #if canImport(Darwin)
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #else
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard result == 0 else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
