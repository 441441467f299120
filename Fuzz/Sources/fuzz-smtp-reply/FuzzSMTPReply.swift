import FuzzSupport
import NIOCore
import SMTPReplyWire

/// Input: one byte choosing the chunk sizes, then the bytes a server sends. The decoder sees the
/// stream in chunks, as TCP delivers it, and must agree with a one-shot decode of the same bytes:
/// replies never depend on where the segments were cut.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let seed = Int(data[0])
    let stream = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))

    let whole = decodeAll(stream, chunkSizes: [max(stream.count, 1)])
    // Tiny, medium and large segments in turn: one-byte segments throughout would make every
    // long line cost a rescan per byte (quadratic, and slow under ASan) without finding more.
    // Seed 0 does feed single bytes, for inputs that need every cut.
    let chunkSizes = [1 + seed % 7, 1 + (seed * 31) % 512, 1 + (seed * 131) % 4096]
    let chunked = decodeAll(stream, chunkSizes: chunkSizes)
    check(whole.replies == chunked.replies, "chunking changed the replies: \(whole.replies) vs \(chunked.replies)")
    check(whole.error == chunked.error,
          "chunking changed the outcome: \(String(describing: whole.error)) vs \(String(describing: chunked.error))")

    for reply in whole.replies {
        check((200...599).contains(reply.code), "reply code \(reply.code) outside 200...599")
        check(!reply.lines.isEmpty && reply.lines.count <= 256, "reply with \(reply.lines.count) lines")
        for line in reply.lines {
            // Each received byte gives at most one scalar (invalid UTF-8 becomes U+FFFD, 3 bytes).
            check(line.unicodeScalars.count <= 8192, "reply line of \(line.unicodeScalars.count) scalars")
            check(!line.utf8.contains(UInt8(ascii: "\n")), "reply line contains LF")
        }
        if let enhanced = reply.enhancedStatusCode {
            check(enhanced.statusClass == reply.code / 100, "enhanced code \(enhanced) in a \(reply.code) reply")
        }
        _ = reply.description
    }
    if let error = whole.error { _ = error.description }
    return 0
}

private struct Outcome {
    var replies: [SMTPReply] = []
    var error: SMTPReplyDecoderError?
}

/// Feeds `stream` in chunks (sizes cycling through `chunkSizes`) and collects replies until the
/// first error, which ends a connection in the product.
private func decodeAll(_ stream: [UInt8], chunkSizes: [Int]) -> Outcome {
    var decoder = SMTPReplyDecoder()
    var buffer = ByteBufferAllocator().buffer(capacity: 0)
    var outcome = Outcome()
    var offset = 0
    var turn = 0
    while offset < stream.count {
        let end = min(stream.count, offset + chunkSizes[turn % chunkSizes.count])
        turn += 1
        buffer.writeBytes(stream[offset..<end])
        offset = end
        do {
            while let reply = try decoder.nextReply(from: &buffer) {
                outcome.replies.append(reply)
            }
        } catch {
            outcome.error = error
            return outcome
        }
        // Bounded buffering: without a line feed the decoder keeps at most one line and its CR.
        check(buffer.readableBytes <= 8193, "decoder holds \(buffer.readableBytes) unread bytes")
    }
    return outcome
}
