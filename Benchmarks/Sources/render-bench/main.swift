import Foundation

// render-bench --template FILE --data FILE.json [--partials DIR] [--rounds N] [--round-seconds S]
//
// Renders the same template, data and partials with our MustacheRenderer and with
// swift-mustache, checks the outputs are identical, then times both: a warm-up, then
// `rounds` rounds of N renders each, alternating between the two (N sized so one round
// takes about `round-seconds`), and reports each one's median nanoseconds per render. The last line printed is always
//   ours_ns=<median> swift_mustache_ns=<median> ratio=<swift_mustache_ns/ours_ns>

func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data(("render-bench: " + message + "\n").utf8))
    exit(code)
}

let usage = "usage: render-bench --template FILE --data FILE.json [--partials DIR] [--rounds N] [--round-seconds S]"
var options: [String: String] = [:]
do {
    var args = CommandLine.arguments.dropFirst()[...]
    while let flag = args.popFirst() {
        if flag == "-h" || flag == "--help" { print(usage); exit(0) }
        guard ["--template", "--data", "--partials", "--rounds", "--round-seconds", "--profile"].contains(flag) else {
            fail("unknown argument '\(flag)'\n\(usage)")
        }
        guard let value = args.popFirst() else { fail("\(flag) needs a value\n\(usage)") }
        options[flag] = value
    }
}
guard let templatePath = options["--template"], let dataPath = options["--data"] else { fail(usage) }
let partialsDirectory = options["--partials"]
let rounds = Int(options["--rounds"] ?? "15") ?? 15
let roundSeconds = Double(options["--round-seconds"] ?? "0.2") ?? 0.2

let ours: OursRenderer
let theirs: SwiftMustacheRenderer
do {
    let data = try loadData(path: dataPath)
    ours = try OursRenderer(templatePath: templatePath, partialsDirectory: partialsDirectory, data: data)
    theirs = try SwiftMustacheRenderer(templatePath: templatePath, partialsDirectory: partialsDirectory,
                                       data: plainSwiftValue(data))
} catch {
    fail("\(error)")
}

// 1. Same output, or no comparison.
let oursOutput = ours.render()
let theirsOutput = theirs.render()
if oursOutput != theirsOutput {
    let a = Array(oursOutput.utf8), b = Array(theirsOutput.utf8)
    var offset = 0
    while offset < a.count, offset < b.count, a[offset] == b[offset] { offset += 1 }
    let line = a[..<offset].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
    func excerpt(_ bytes: [UInt8]) -> String {
        let lo = max(0, offset - 40), hi = min(bytes.count, offset + 40)
        return String(decoding: bytes[lo..<hi], as: UTF8.self).debugDescription
    }
    fail("""
        outputs differ (ours \(a.count) bytes, swift-mustache \(b.count) bytes); \
        first difference at byte \(offset), line \(line):
          ours:           \(excerpt(a))
          swift-mustache: \(excerpt(b))
        (run with a diff of both outputs to see all differences)
        """, code: 1)
}
print("outputs identical: \(oursOutput.utf8.count) bytes")

// For profilers (e.g. valgrind --tool=callgrind): `--profile ours|swift-mustache:COUNT`
// renders COUNT times with one renderer and exits, skipping the timing below.
if let profile = options["--profile"] {
    let parts = profile.split(separator: ":")
    let count = parts.count == 2 ? Int(parts[1]) ?? 1000 : 1000
    var bytes = 0
    for _ in 0..<count { bytes &+= parts[0] == "ours" ? ours.render().utf8.count : theirs.render().utf8.count }
    print("profiled \(count) renders (\(bytes) bytes)")
    exit(0)
}

// 2. Timing.
var sink = 0  // keeps renders from being optimised away

@MainActor @inline(never)
func timeBatch(_ count: Int, _ render: () -> String) -> UInt64 {
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<count { sink &+= render().utf8.count }
    return DispatchTime.now().uptimeNanoseconds - start
}

/// Warm-up, and the batch size N that makes one round take about `roundSeconds`.
@MainActor
func calibrate(_ render: () -> String) -> Int {
    var n = 1
    while true {
        let ns = timeBatch(n, render)
        if ns >= 50_000_000 {
            return max(1, Int(Double(n) * roundSeconds * 1e9 / Double(ns)))
        }
        n *= 2
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2]
        : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func report(_ label: String, _ n: Int, _ perRender: [Double]) {
    print("\(label): \(perRender.count) rounds x \(n) renders, median \(Int(median(perRender).rounded())) ns/render "
          + "(min \(Int(perRender.min()!.rounded())), max \(Int(perRender.max()!.rounded())))")
}

// Rounds alternate between the two renderers, so that both see the same machine load
// (other processes come and go on a shared machine); each gets its own median.
let oursN = calibrate(ours.render)
let theirsN = calibrate(theirs.render)
var oursPerRender: [Double] = [], theirsPerRender: [Double] = []
for _ in 0..<rounds {
    oursPerRender.append(Double(timeBatch(oursN, ours.render)) / Double(oursN))
    theirsPerRender.append(Double(timeBatch(theirsN, theirs.render)) / Double(theirsN))
}
report("ours", oursN, oursPerRender)
report("swift-mustache", theirsN, theirsPerRender)
let oursNs = median(oursPerRender)
let theirsNs = median(theirsPerRender)
if sink == 42 { print("") }
print("ours_ns=\(Int(oursNs.rounded())) swift_mustache_ns=\(Int(theirsNs.rounded())) ratio=\(String(format: "%.2f", theirsNs / oursNs))")
