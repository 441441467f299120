// smtp-bench: sends N messages of about BYTES through the product's SMTP client and its
// connection pool (C pooled sessions, plaintext), and prints, last, `msgs_per_s=<X>`.
//
//   smtp-bench --host H --port P --messages N --connections C --size BYTES [--warmup W]
//
// C workers pull message numbers from one shared counter and each calls `pool.send`, as the
// service's delivery does. Every message must be accepted (250 after the final "."): any failure
// is printed and the exit status is 1. RSS (VmRSS) is sampled when 10 % and 100 % of the timed
// messages are done, to show that memory stays flat over a long run.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOPosix
import SMTP
import Synchronization

struct Options {
    var host = "127.0.0.1"
    var port: Int?
    var messages = 10_000
    var connections = 4
    var size = 4096
    var warmup = 0
    var sender = "bench@example.test"
    var recipient = "sink@example.test"
    var heloName = "bench.example.test"
    var threads = 1

    static let usage = """
    usage: smtp-bench --host H --port P --messages N --connections C --size BYTES [--warmup W]
                      [--from ADDR] [--to ADDR] [--helo NAME] [--threads T]

      --host H         SMTP server (default 127.0.0.1); plaintext, no AUTH
      --port P         its port (required)
      --messages N     messages to send and time (default 10000)
      --connections C  pooled sessions, each reused for all its messages (default 4)
      --size BYTES     approximate size of each message, headers included (default 4096)
      --warmup W       messages sent first and not timed (default 0)
      --from / --to    envelope sender and recipient (default bench@example.test, sink@example.test)
      --helo NAME      EHLO name (default bench.example.test)
      --threads T      event-loop threads of the client (default 1: the senders run on that loop
                       too, so no message changes threads; smtp-source is one thread as well)

    Prints elapsed_s, failures, the pool's counters, rss_kb_at_10pct, rss_kb_at_end and, last,
    msgs_per_s. Exits 1 if any message failed.
    """

    static func parse(_ arguments: [String]) -> Options {
        var options = Options()
        var index = 0
        func fail(_ message: String) -> Never {
            printError("smtp-bench: \(message)\n\n\(usage)\n")
            exit(2)
        }
        func value(_ name: String) -> String {
            index += 1
            guard index < arguments.count else { fail("\(name) needs a value") }
            return arguments[index]
        }
        func integer(_ name: String, minimum: Int) -> Int {
            let text = value(name)
            guard let number = Int(text), number >= minimum else { fail("\(name) must be an integer ≥ \(minimum), not '\(text)'") }
            return number
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--host": options.host = value(argument)
            case "--port": options.port = integer(argument, minimum: 1)
            case "--messages": options.messages = integer(argument, minimum: 1)
            case "--connections": options.connections = integer(argument, minimum: 1)
            case "--size": options.size = integer(argument, minimum: 0)
            case "--warmup": options.warmup = integer(argument, minimum: 0)
            case "--from": options.sender = value(argument)
            case "--to": options.recipient = value(argument)
            case "--helo": options.heloName = value(argument)
            case "--threads": options.threads = integer(argument, minimum: 1)
            case "-h", "--help":
                print(usage)
                exit(0)
            default: fail("unknown argument '\(argument)'")
            }
            index += 1
        }
        guard options.port != nil else { fail("--port is required") }
        return options
    }
}

func printError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}

/// A transactional email of about `size` bytes: the headers a MIME builder writes, then a
/// text body of lines of at most 78 characters, CRLF line endings throughout.
func makeMessage(size: Int, sender: String, recipient: String) -> [UInt8] {
    let headers = """
    Date: Mon, 01 Dec 2025 07:00:00 +0000\r
    From: Example Shop <\(sender)>\r
    To: Ada Lovelace <\(recipient)>\r
    Subject: Your order #100234 has shipped\r
    Message-ID: <bench.100234.1764572400@example.test>\r
    MIME-Version: 1.0\r
    Content-Type: text/plain; charset=utf-8\r
    Content-Transfer-Encoding: 7bit\r
    Content-Language: en\r
    \r

    """
    let paragraph = [
        "Hello Ada,",
        "",
        "Thank you for your order. The parcel with the items below left our warehouse",
        "this morning and should reach you within two to three working days.",
        "",
        "  1 x Analytical Engine, brass, assembled ............................ 1",
        "  2 x Punched cards, pack of 500 ....................................... 2",
        ".  A line that starts with a dot, so the dot-stuffing path is taken too.",
        "",
        "Track the parcel: https://shop.example.test/orders/100234/track?lang=en",
        "If anything is missing, answer this email and we will sort it out.",
        "",
    ]
    var bytes = Array(headers.utf8)
    var line = 0
    while bytes.count < size {
        var text = Array(paragraph[line % paragraph.count].utf8)
        line += 1
        let room = size - bytes.count - 2
        if room < text.count { text = Array(text.prefix(max(0, room))) }
        bytes += text
        bytes += [13, 10]
    }
    return bytes
}

/// Resident set size in kB, from /proc/self/status (Linux); -1 where there is no /proc.
func residentKilobytes() -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return -1 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VmRSS:") {
            return Int(text.dropFirst(6).filter(\.isNumber)) ?? -1
        }
    }
    return -1
}

final class Run: Sendable {
    let next = Atomic<Int>(0)
    let done = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
    let rssAtTenPercent = Atomic<Int>(-1)
}

/// Sends `count` messages with `workers` concurrent senders sharing one counter.
func send(count: Int, workers: Int, pool: SMTPConnectionPool, mail: SMTPMail, logger: Logger, run: Run, sampleAt: Int?, executor: EventLoopTaskExecutor?) async {
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<workers {
            group.addTask(executorPreference: executor) {
                while run.next.add(1, ordering: .relaxed).oldValue < count {
                    do throws(SMTPError) {
                        _ = try await pool.send(mail, logger: logger)
                    } catch {
                        let failed = run.failures.add(1, ordering: .relaxed).newValue
                        if failed <= 10 {
                            printError("smtp-bench: message failed: [\(error.code.rawValue)] \(error.message)\n")
                        }
                    }
                    let finished = run.done.add(1, ordering: .relaxed).newValue
                    if finished == sampleAt { run.rssAtTenPercent.store(residentKilobytes(), ordering: .relaxed) }
                }
            }
        }
    }
}

let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
var logger = Logger(label: "smtp-bench")
logger.logLevel = .warning

var configuration = SMTPClientConfiguration(host: options.host, port: options.port!, security: .plaintext)
configuration.heloName = options.heloName
// --threads 1 (the default): the sessions and the senders share one event loop, so no message
// changes threads; more threads spread the sessions over loops and the senders over the pool.
let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: options.threads)
let executor = options.threads == 1 ? EventLoopTaskExecutor(eventLoopGroup.next()) : nil
let client: SMTPClient
do {
    client = try SMTPClient(configuration: configuration, eventLoopGroup: eventLoopGroup)
} catch {
    printError("smtp-bench: \(error)\n")
    exit(2)
}
// Like `smtp-source -d`: every session stays open for the whole run, none is replaced.
let pool = SMTPConnectionPool(
    client: client,
    configuration: SMTPPoolConfiguration(size: options.connections, maximumMessagesPerConnection: Int.max, idleTimeout: .seconds(300)),
    logger: logger
)
let content = makeMessage(size: options.size, sender: options.sender, recipient: options.recipient)
let mail = SMTPMail(sender: options.sender, recipients: [options.recipient], content: content)

print("smtp-bench: host=\(options.host) port=\(options.port!) messages=\(options.messages) connections=\(options.connections) size=\(options.size) message_bytes=\(content.count) warmup=\(options.warmup)")

var warmupFailures = 0
if options.warmup > 0 {
    let warmup = Run()
    await send(count: options.warmup, workers: options.connections, pool: pool, mail: mail, logger: logger, run: warmup, sampleAt: nil, executor: executor)
    warmupFailures = warmup.failures.load(ordering: .relaxed)
}

let timed = Run()
let clock = ContinuousClock()
let started = clock.now
await send(count: options.messages, workers: options.connections, pool: pool, mail: mail, logger: logger,
           run: timed, sampleAt: max(1, options.messages / 10), executor: executor)
let elapsed = started.duration(to: clock.now)
let rssAtEnd = residentKilobytes()
await pool.close()

let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let failures = timed.failures.load(ordering: .relaxed) + warmupFailures
let statistics = pool.statistics
print("elapsed_s=\((seconds * 1000).rounded() / 1000)")
print("failures=\(failures)")
print("connections_opened=\(statistics.connectionsOpened) stale_connections_replaced=\(statistics.staleConnectionsReplaced)")
print("rss_kb_at_10pct=\(timed.rssAtTenPercent.load(ordering: .relaxed))")
print("rss_kb_at_end=\(rssAtEnd)")
print("msgs_per_s=\((Double(options.messages) / seconds * 10).rounded() / 10)")
exit(failures == 0 ? 0 : 1)
