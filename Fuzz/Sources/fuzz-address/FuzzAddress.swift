import Foundation
import FuzzSupport
import MIMEMessage

/// Input: any bytes, read as UTF-8 (invalid sequences repaired, as a JSON body would arrive).
/// When `EmailAddress(parsing:)` accepts it, the envelope form (`address`) and the header form
/// (`description`, and the From field of a serialised message) hold no CR, LF or NUL, stay
/// within RFC 5321's lengths, and parse back to the same address; refusals are thrown errors
/// that quote the input and give a reason.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = text(Array(UnsafeBufferPointer(start: data, count: size)))
    let parsed: EmailAddress
    do {
        parsed = try EmailAddress(parsing: input)
    } catch {
        check(error.input == input && !error.reason.isEmpty, "address error without input or reason")
        check(!error.description.utf8.contains { $0 == 10 || $0 == 13 || $0 == 0 }, "error text contains a line break or NUL")
        return 0
    }

    for form in [parsed.address, parsed.description, parsed.displayName ?? ""] {
        check(!form.utf8.contains { $0 == 10 || $0 == 13 || $0 == 0 }, "accepted form contains CR, LF or NUL: \(form.debugDescription)")
    }
    check(parsed.address.utf8.count <= 254, "address of \(parsed.address.utf8.count) bytes")
    check(parsed.displayName.map { !$0.isEmpty } ?? true, "empty display name instead of nil")
    let at = parsed.address.lastIndex(of: "@")
    check(at != nil && parsed.address[..<at!].utf8.count <= 64 && !parsed.domain.isEmpty, "address without a local part of at most 64 bytes and a domain")

    do {
        let again = try EmailAddress(parsing: parsed.description)
        check(again == parsed, "header form \(parsed.description.debugDescription) parses to \(again), not \(parsed)")
        let envelope = try EmailAddress(parsing: parsed.address)
        check(envelope.address == parsed.address && envelope.displayName == nil, "envelope form parses to \(envelope)")
        let rebuilt = try EmailAddress(address: parsed.address, displayName: parsed.displayName)
        check(rebuilt == parsed, "address(_:displayName:) gives \(rebuilt), not \(parsed)")
    } catch {
        check(false, "an accepted address's own forms are refused: \(error)")
    }

    // The wire form: the address as From and To of a message, which must stay well-formed.
    let message = MailMessage(
        from: parsed, to: [parsed], subject: "s", textBody: "t",
        date: Date(timeIntervalSince1970: 1_780_000_000), messageID: "fuzz@example.com")
    do {
        let shape = checkMessage(try message.serialized(), allowUTF8: parsed.isInternational)
        check(shape.headerNames == ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"],
              "header fields \(shape.headerNames)")
    } catch {
        check(false, "a message from an accepted address cannot be serialised: \(error)")
    }
    return 0
}
