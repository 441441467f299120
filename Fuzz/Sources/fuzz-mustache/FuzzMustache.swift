import FuzzSupport
import MustacheRenderer

/// Input: NUL-separated templates. The first is rendered; each following one is a partial whose
/// name is its first line ("name\nbody"), so `{{>name}}`, `{{<name}}` and self-inclusion are
/// all reachable. Parse errors must be thrown, with a position inside the source; rendering
/// must stay within `limits` (and so inside libFuzzer's -timeout), report the bound it
/// reached, and be deterministic.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = fields(data, size, count: 5)
    var library = MustacheLibrary()
    for part in parts.dropFirst() {
        let source = text(part)
        let newline = source.firstIndex(of: "\n") ?? source.endIndex
        let name = String(source[..<newline])
        let body = newline == source.endIndex ? "" : String(source[source.index(after: newline)...])
        guard let template = parse(body, name: name) else { continue }
        library.register(template, named: name)
    }
    guard let main = parse(text(parts[0]), name: "main") else { return 0 }
    library.register(main, named: "main")

    for escaping in [MustacheEscaping.html, .none] {
        let first = main.render(context, partials: library, escaping: escaping, limits: limits)
        let again = try? library.render("main", context, escaping: escaping, limits: limits)
        check(first.output == again?.output && first.limitReached == again?.limitReached, "two renders of one template differ")
        // The last append may pass the bound before it is measured, by one text chunk or
        // indented line (indentation is at most the input once per level: < 0.5 MiB here).
        let bytes = first.output.utf8.count
        check(bytes <= 2 * limits.maximumOutputBytes, "the output passed maximumOutputBytes by more than one append")
        check(bytes <= limits.maximumOutputBytes || first.limitReached != nil, "an output past maximumOutputBytes is not reported")
        check(first.limitReached != .outputBytes(limits.maximumOutputBytes) || bytes > limits.maximumOutputBytes,
              "an output within maximumOutputBytes is reported as past it")
        check(Set(first.missingVariables).count == first.missingVariables.count, "missingVariables repeats a name")
        // The data holds no name that could be missing in every frame except these spellings.
        for name in first.missingVariables {
            check(!["name", "items", "flag", "html", "nested", "nested.a.b"].contains(name), "\(name) reported missing but present")
        }
        if escaping == .html {
            // Escaped values never add markup: the only '<' in the output come from templates.
            let rawPossible = parts.contains { part in
                part.contains(UInt8(ascii: "<")) || part.contains(UInt8(ascii: "&")) || text(part).contains("{{{")
            }
            check(rawPossible || !first.output.utf8.contains(UInt8(ascii: "<")), "an escaped value put '<' into the output")
        }
    }
    return 0
}

/// Smaller than the defaults so that a render bounded by them ends well inside libFuzzer's
/// -timeout under ASan (4 renders per input), and so that the bounds themselves are hit often.
private let limits = MustacheRenderLimits(maximumOutputBytes: 1 << 20, maximumSteps: 200_000)

/// nil for a template that cannot be parsed; the error must place itself inside the source.
private func parse(_ source: String, name: String) -> MustacheTemplate? {
    do {
        return try MustacheTemplate(source: source, name: name)
    } catch {
        let lines = source.utf8.count(where: { $0 == UInt8(ascii: "\n") }) + 1
        check(error.line >= 1 && error.line <= lines, "parse error on line \(error.line) of \(lines)")
        check(error.column >= 1 && error.column <= source.count + 1, "parse error in column \(error.column)")
        check(error.templateName == name && !error.message.isEmpty, "parse error without name or message")
        return nil
    }
}

/// Small but varied: nested objects, lists of objects and scalars, falsey values of every kind,
/// HTML-special text, a string naming a partial (dynamic names) and a list holding itself by name.
private let context: MustacheValue = [
    "name": "Ada <Lovelace> & \"Co\" 'x'",
    "html": "<b>bold</b>",
    "flag": true,
    "off": false,
    "zero": 0,
    "pi": 3.14159,
    "nothing": nil,
    "blank": "",
    "empty": [],
    "partial": "main",
    "other": "a",
    "items": [["x": 1, "label": "one"], ["x": 2, "label": "<two>"]],
    "scalars": [1, "two", 3.5, true, nil],
    "nested": ["a": ["b": "deep", "list": [["c": "c1"], ["c": "c2"]]]],
    "multiline": "line 1\nline 2\r\nline 3",
]
