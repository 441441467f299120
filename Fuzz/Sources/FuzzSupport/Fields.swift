/// Splits a fuzz input into fields at NUL bytes: the fuzzer mutates each field on its own, and
/// seeds stay readable. The last field takes the rest, NULs included.
public func fields(_ data: UnsafePointer<UInt8>, _ size: Int, count: Int) -> [[UInt8]] {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var result: [[UInt8]] = []
    var start = 0
    while result.count < count - 1, let nul = bytes[start...].firstIndex(of: 0) {
        result.append(Array(bytes[start..<nul]))
        start = nul + 1
    }
    result.append(Array(bytes[start...]))
    return result
}

/// Arbitrary bytes as the String a JSON or HTTP layer would hand over (invalid UTF-8 repaired).
public func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}
