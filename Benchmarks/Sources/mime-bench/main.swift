import Foundation
import MIMEMessage

// mime-bench [--rounds N] [--round-seconds S] [--profile COUNT]
//
// Serialises one verification email as the service sends it (subject, a text part of about
// 600 bytes, an HTML alternative of about 3 KB with some non-ASCII and lines longer than 76
// characters, one To address) with MailMessage.serialized(), random boundary included: a
// warm-up, then `rounds` rounds of N messages each (N sized so one round takes about
// `round-seconds`). The last line printed is always
//   mime_ns=<median nanoseconds per message> bytes=<size of one serialised message>

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("mime-bench: " + message + "\n").utf8))
    exit(2)
}

let usage = "usage: mime-bench [--rounds N] [--round-seconds S] [--profile COUNT]"
var options: [String: String] = [:]
do {
    var args = CommandLine.arguments.dropFirst()[...]
    while let flag = args.popFirst() {
        if flag == "-h" || flag == "--help" { print(usage); exit(0) }
        guard ["--rounds", "--round-seconds", "--profile"].contains(flag) else { fail("unknown argument '\(flag)'\n\(usage)") }
        guard let value = args.popFirst() else { fail("\(flag) needs a value\n\(usage)") }
        options[flag] = value
    }
}
let rounds = Int(options["--rounds"] ?? "15") ?? 15
let roundSeconds = Double(options["--round-seconds"] ?? "0.2") ?? 0.2

// templates/verification rendered with the product name "Café Lumière" (so the HTML needs
// quoted-printable) and code 482913.
let product = "Café Lumière"
let code = "482913"
let textBody = """
    Your \(product) verification code: \(code)

    Hello,

    Use this code to verify your email address:

        \(code)

    The code is valid for 15 minutes. Enter it on the page where you signed up, or open
    the link below in the browser where you started:

        https://accounts.example.com/verify?email=ada%40example.org&code=\(code)

    If you did not ask for this code, you can ignore this email: nobody can use your
    address without it, and no account is created until the code is entered.

    Thanks,
    The \(product) team

    --
    You received this email from \(product) (https://www.example.com).

    """
let htmlBody = """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Verify your email address</title>
    </head>
    <body style="margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2933;">
    <div style="display:none;max-height:0;overflow:hidden;mso-hide:all;" aria-hidden="true">Your verification code is \(code)</div>
    <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;padding:24px 0;">
    <tr><td align="center">
    <table role="presentation" width="560" cellpadding="0" cellspacing="0" style="max-width:560px;width:100%;background:#ffffff;border-radius:8px;padding:32px;">
    <tr><td style="font-size:20px;font-weight:600;padding-bottom:16px;">\(product)</td></tr>
    <tr><td style="font-size:15px;line-height:1.6;">
    <p>Hello,</p>
    <p>Use this code to verify your email address:</p>
    <p style="font-size:28px;font-weight:700;letter-spacing:4px;margin:24px 0;">\(code)</p>
    <p>The code is valid for 15 minutes. Enter it on the page where you signed up, or open the link below in the browser where you started:</p>
    <p style="margin:24px 0;"><a href="https://accounts.example.com/verify?email=ada%40example.org&amp;code=\(code)" style="display:inline-block;padding:12px 20px;background:#3b5bdb;color:#ffffff;border-radius:6px;text-decoration:none;font-weight:600;">Verify my address</a></p>
    <p>If you did not ask for this code, you can ignore this email: nobody can use your address without it, and no account is created until the code is entered.</p>
    <p>Thanks,<br>The \(product) team</p>
    <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin-top:24px;border-top:1px solid #e4e7eb;">
    <tr><td style="font-size:13px;line-height:1.5;color:#52606d;padding-top:16px;">Why did I get this email? Someone, hopefully you, entered this address when signing up for \(product). We ask every new member to confirm their address so that receipts, password resets and security alerts reach the right person.</td></tr>
    <tr><td style="font-size:13px;line-height:1.5;color:#52606d;padding-top:8px;">Need help? Reply to this email or visit <a href="https://help.example.com/articles/verify-email" style="color:#3b5bdb;">help.example.com</a>; our café-side support team answers within one business day.</td></tr>
    </table>
    </td></tr>
    </table>
    <p style="font-size:12px;color:#7b8794;margin-top:16px;">You received this email from <a href="https://www.example.com" style="color:#7b8794;">\(product)</a>. If it was not meant for you, you can ignore it.</p>
    <p style="font-size:12px;color:#7b8794;">\(product) · 12 rue de la Paix · 75002 Paris · France</p>
    </td></tr>
    </table>
    </body>
    </html>

    """

let message: MailMessage
do {
    message = MailMessage(
        from: try EmailAddress(parsing: "Café Lumière <no-reply@mail.example.com>"),
        to: [try EmailAddress(parsing: "ada@example.org")],
        subject: "Your \(product) verification code: \(code)",
        textBody: textBody,
        htmlBody: htmlBody,
        date: Date(timeIntervalSince1970: 1_795_309_323),
        messageID: "0123456789abcdef0123456789abcdef@mail.example.com")
} catch {
    fail("\(error)")
}

var sink = 0  // keeps serialisations from being optimised away

@MainActor @inline(never)
func serializeOnce() -> Int {
    do {
        return try message.serialized().count
    } catch {
        fail("\(error)")
    }
}

let bytes = serializeOnce()
print("text \(textBody.utf8.count) bytes, html \(htmlBody.utf8.count) bytes, message \(bytes) bytes")

// For profilers (e.g. valgrind --tool=callgrind): `--profile COUNT` serialises COUNT times and
// exits, skipping the timing below.
if let profile = options["--profile"] {
    let count = Int(profile) ?? 1000
    for _ in 0..<count { sink &+= serializeOnce() }
    print("profiled \(count) messages (\(sink) bytes)")
    exit(0)
}

@MainActor @inline(never)
func timeBatch(_ count: Int) -> UInt64 {
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<count { sink &+= serializeOnce() }
    return DispatchTime.now().uptimeNanoseconds - start
}

/// Warm-up, and the batch size N that makes one round take about `roundSeconds`.
@MainActor
func calibrate() -> Int {
    var n = 1
    while true {
        let ns = timeBatch(n)
        if ns >= 50_000_000 { return max(1, Int(Double(n) * roundSeconds * 1e9 / Double(ns))) }
        n *= 2
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2]
        : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

let n = calibrate()
var perMessage: [Double] = []
for _ in 0..<rounds { perMessage.append(Double(timeBatch(n)) / Double(n)) }
print("\(rounds) rounds x \(n) messages, median \(Int(median(perMessage).rounded())) ns/message "
      + "(min \(Int(perMessage.min()!.rounded())), max \(Int(perMessage.max()!.rounded())))")
if sink == 42 { print("") }
print("mime_ns=\(Int(median(perMessage).rounded())) bytes=\(bytes)")
