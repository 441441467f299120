import Foundation  // malloc, realloc, free

/// A growable buffer of UTF-8 bytes that rendering appends into: plain memory, so
/// appending a text run is one bounds check and one `memcpy`.
///
/// Owns its memory manually (no class, no reference counting); the owner must call
/// `takeString()` exactly once, last.
struct ByteBuffer {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        // `malloc` directly: `UnsafeMutablePointer.allocate` asks the runtime for "default"
        // alignment, which goes through the slower `posix_memalign`.
        guard let memory = malloc(self.capacity) else { fatalError("out of memory") }
        base = memory.bindMemory(to: UInt8.self, capacity: self.capacity)
    }

    /// The bytes as a `String`. Frees the memory: the buffer must not be used afterwards.
    ///
    /// Skips UTF-8 validation where the standard library allows it (`UTF8Span`): every
    /// byte appended comes from a Swift `String` (always valid UTF-8), cut only next to
    /// ASCII bytes, or from ASCII entity literals, so the whole is valid UTF-8. Validating
    /// again costs as much as the rest of a render for non-ASCII output.
    func takeString() -> String {
        let bytes = UnsafeBufferPointer(start: base, count: count)
        defer { free(base) }
        if #available(macOS 26, iOS 26, watchOS 26, tvOS 26, visionOS 26, *) {
            return String(copying: UTF8Span(unchecked: Span(_unsafeElements: bytes)))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if capacity &- count < extra { grow(minimum: count + extra) }
    }

    @inline(never)
    private mutating func grow(minimum: Int) {
        let newCapacity = Swift.max(minimum, capacity * 2)
        guard let memory = realloc(base, newCapacity) else { fatalError("out of memory") }
        base = memory.bindMemory(to: UInt8.self, capacity: newCapacity)
        capacity = newCapacity
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        guard n > 0, let source = bytes.baseAddress else { return }
        reserve(n)
        (base + count).initialize(from: source, count: n)
        count &+= n
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Appends `text`'s UTF-8 bytes.
    mutating func append(_ text: String) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { append($0) }
        if done == nil { append(Array(text.utf8)) }
    }

    /// Appends `text` with HTML-special characters replaced by entities.
    mutating func appendHTMLEscaped(_ text: String) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { appendHTMLEscaped($0) }
        if done == nil {
            Array(text.utf8).withUnsafeBufferPointer { appendHTMLEscaped($0) }
        }
    }

    /// Appends UTF-8 `text` with `& " < > '` replaced by `&amp; &quot; &lt; &gt; &#39;`.
    ///
    /// All five are ASCII, so a byte match is always a whole character; every other byte
    /// is copied as it is. Text without any of them (the usual case) is copied in one
    /// `memcpy`; otherwise the worst case is reserved once and each entity is written
    /// with a single 8-byte store.
    mutating func appendHTMLEscaped(_ text: UnsafeBufferPointer<UInt8>) {
        guard let source = text.baseAddress else { return }
        let n = text.count
        var index = 0
        while index < n, !isHTMLSpecial(source[index]) { index &+= 1 }
        if index == n {
            append(text)
            return
        }
        // Up to 6 bytes per input byte, plus slack for the last 8-byte store.
        reserve(n &* 6 &+ 8)
        var out = base + count
        out.initialize(from: source, count: index)
        out += index
        while index < n {
            let byte = source[index]
            if isHTMLSpecial(byte) {
                let entity: UInt64, length: Int
                switch byte {
                case UInt8(ascii: "&"): (entity, length) = (0x3B_70_6D_61_26, 5)  // &amp;
                case UInt8(ascii: "\""): (entity, length) = (0x3B_74_6F_75_71_26, 6)  // &quot;
                case UInt8(ascii: "<"): (entity, length) = (0x3B_74_6C_26, 4)  // &lt;
                case UInt8(ascii: ">"): (entity, length) = (0x3B_74_67_26, 4)  // &gt;
                default: (entity, length) = (0x3B_39_33_23_26, 5)  // &#39;
                }
                UnsafeMutableRawPointer(out).storeBytes(of: entity.littleEndian, as: UInt64.self)
                out += length
            } else {
                out.initialize(to: byte)
                out += 1
            }
            index &+= 1
        }
        count = out - base
    }
}

@inline(__always)
private func isHTMLSpecial(_ byte: UInt8) -> Bool {
    byte < 64 && htmlSpecialMask & (1 &<< UInt64(byte)) != 0
}

/// The five characters HTML escaping replaces, as a bit set over byte values 0..<64:
/// `"` 0x22, `&` 0x26, `'` 0x27, `<` 0x3C, `>` 0x3E.
private let htmlSpecialMask: UInt64 = 1 << 0x22 | 1 << 0x26 | 1 << 0x27 | 1 << 0x3C | 1 << 0x3E
