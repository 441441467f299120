// json-bench: see ../json-bench.sh. Checks first that both readers give the same value and both
// writers the same bytes, then times each case.
import Foundation

// Bodies: the benchmark's verification request, and a 2 KB generic request with nested data.
let small = Array(#"{"to":"ada@example.org","code":"493817"}"#.utf8)
var items: [String] = []
for index in 0..<16 {
    items.append(#"{"sku":"A-\#(index)","name":"Article n\u00b0\#(index) \u2014 caf\u00e9","qty":\#(index + 1),"price":\#(Double(index) * 3.25 + 0.5),"tags":["x","y"],"gift":\#(index % 2 == 0)}"#)
}
let large = Array(#"{"template":"order-confirmation","to":["ada@example.org","grace@example.org"],"locale":"fr-CA","data":{"customer":{"name":"Ada Lovelace","address":{"street":"12 rue de la Paix","city":"Montr\u00e9al","zip":"H2X 1Y4"}},"items":[\#(items.joined(separator: ","))],"total":123.45,"note":null}}"#.utf8)

func measure(_ label: String, _ iterations: Int, _ body: () -> Void) {
    for _ in 0..<iterations / 10 { body() }  // warm up
    let start = ContinuousClock.now
    for _ in 0..<iterations { body() }
    let elapsed = ContinuousClock.now - start
    let ns = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    print("\(label): \(Int(ns / Double(iterations))) ns per call (\(iterations) calls)")
}

let mode = CommandLine.arguments.dropFirst().first ?? "all"
let iterations = Int(CommandLine.arguments.dropFirst(2).first ?? "100000")!
var sink = 0
let smallValue = try! JSONReader.read(small)
let largeValue = try! JSONReader.read(large)
precondition(try! JSONDecoder().decode(JSONValue.self, from: Data(large)) == largeValue, "JSONReader and JSONDecoder disagree")
precondition(try! JSONDecoder().decode(JSONValue.self, from: Data(small)) == smallValue, "JSONReader and JSONDecoder disagree")
let answer: JSONValue = .object(["id": .string("01JF8ZK9V6S3W5H2QX7C4M0B1N"), "status": .string("queued"), "locale": .string("en")])
print("large body: \(large.count) bytes")
let encoder = { () -> JSONEncoder in let e = JSONEncoder(); e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]; return e }
let cases: [(String, Int, () -> Void)] = [
    ("decoder-small", iterations, { sink &+= (try! JSONDecoder().decode(JSONValue.self, from: Data(small))) == .null ? 1 : 0 }),
    ("decoder-large", iterations / 10, { sink &+= (try! JSONDecoder().decode(JSONValue.self, from: Data(large))) == .null ? 1 : 0 }),
    ("reader-small", iterations, { sink &+= (try! JSONReader.read(small)) == .null ? 1 : 0 }),
    ("reader-large", iterations / 10, { sink &+= (try! JSONReader.read(large)) == .null ? 1 : 0 }),
    ("encoder-answer", iterations, { sink &+= (try! encoder().encode(answer)).count }),
    ("encoder-large", iterations / 10, { sink &+= (try! encoder().encode(largeValue)).count }),
    ("writer-answer", iterations, { sink &+= JSONWriter.bytes(answer)!.count }),
    ("writer-large", iterations / 10, { sink &+= JSONWriter.bytes(largeValue)!.count }),
]
precondition(JSONWriter.bytes(largeValue).map { Data($0) } == (try? encoder().encode(largeValue)), "JSONWriter and JSONEncoder disagree")
for (name, count, body) in cases where mode == "all" || mode == name { measure(name, count, body) }
if sink == 42 { print("") }  // keeps the results alive
