import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The name we give in EHLO. RFC 5321 §4.1.4 wants our FQDN or, lacking one, an address literal.
/// A container's host name is a bare id ("3f2a9c1b"); receivers penalise that, so it is never used.
struct HeloName: Sendable {
    let fixed: String?

    init(configured: String?) {
        if let configured, !configured.isEmpty {
            fixed = configured
        } else {
            fixed = Self.fullyQualifiedHostName()
        }
    }

    func resolve(localAddress: SocketAddress?) -> String {
        if let fixed { return fixed }
        switch (localAddress, localAddress?.ipAddress) {
        case (.v4?, let ip?): return "[\(ip)]"
        case (.v6?, let ip?): return "[IPv6:\(ip)]"
        default: return "[127.0.0.1]"
        }
    }

    /// The canonical name of this host when it has a dot in it, as `hostname -f` would print.
    static func fullyQualifiedHostName() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return nil }
        let short = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if short.contains("."), !short.hasSuffix(".") { return short }

        var hints = addrinfo()
        hints.ai_flags = AI_CANONNAME
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(short, nil, &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(result) }
        guard let canonical = first.pointee.ai_canonname else { return nil }
        let name = String(cString: canonical)
        return name.contains(".") && name != "localhost.localdomain" ? name : nil
    }
}
