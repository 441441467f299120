import Foundation
import FuzzSupport
import MIMEMessage

/// Input: NUL-separated fields, in this order: subject, From display name, To display name,
/// text body, HTML body (empty: none), two custom headers (name, value, name, value; empty name:
/// none), Content-Language (empty: none), attachment file name, content type, Content-ID (empty:
/// a download), and the attachment's bytes (the rest of the input; no file name: no attachment).
/// When the message serialises, it must be CRLF-only, 7-bit, with lines of at most 998 bytes,
/// and hold exactly the header fields and MIME parts that were put in; otherwise the failure is
/// a thrown `AddressError` or `MessageError` (typed throws: a trap is the only other way out).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let f = fields(data, size, count: 14).map(text)
    func field(_ index: Int) -> String { index < f.count ? f[index] : "" }

    let from: EmailAddress
    let to: EmailAddress
    do {
        from = try EmailAddress(address: "sender@example.com", displayName: field(1))
        to = try EmailAddress(address: "rcpt@example.org", displayName: field(2))
    } catch {
        check(!error.reason.isEmpty, "address error without a reason")
        return 0
    }
    var message = MailMessage(
        from: from, to: [to], subject: field(0), textBody: field(3),
        htmlBody: field(4).isEmpty ? nil : field(4),
        date: Date(timeIntervalSince1970: 1_780_000_000), messageID: "fuzz@example.com")
    for (nameIndex, valueIndex) in [(5, 6), (7, 8)] where !field(nameIndex).isEmpty {
        message.headers.append(CustomHeader(name: field(nameIndex), value: field(valueIndex)))
    }
    if !field(9).isEmpty { message.language = field(9) }
    if !field(10).isEmpty {
        let bytes = 13 < f.count ? Array(field(13).utf8) : []
        message.attachments.append(Attachment(
            filename: field(10), contentType: field(11), data: bytes,
            contentID: field(12).isEmpty ? nil : field(12)))
    }

    let serialized: [UInt8]
    do {
        serialized = try message.serialized()
    } catch {
        check(!error.field.isEmpty && !error.reason.isEmpty, "message error without field or reason")
        return 0
    }
    let shape = checkMessage(serialized, allowUTF8: false)

    var expected = ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version"]
    if message.language != nil { expected.append("Content-Language") }
    expected += message.headers.map(\.name)
    let top = shape.headerNames.filter { !["content-type", "content-transfer-encoding"].contains($0.lowercased()) }
    check(top == expected, "header fields \(top), expected \(expected)")

    let leaves = 1 + (message.htmlBody == nil ? 0 : 1) + message.attachments.count
    check(shape.leaves.count == leaves, "\(shape.leaves.count) MIME leaves, expected \(leaves)")
    return 0
}
