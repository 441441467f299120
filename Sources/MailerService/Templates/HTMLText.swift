import Foundation

/// A readable plain-text version of an HTML email, for templates that ship only `html.mustache`.
///
/// Mail clients show the text part in previews and to people who prefer text; it needs the
/// words, the paragraph breaks and the link targets, not the layout.
enum HTMLText {
    static func plainText(from html: String) -> String {
        var text = html
        // Whole elements whose content is never meant to be read.
        for element in ["head", "style", "script", "title"] {
            text = text.replacingOccurrences(of: "<\(element)\\b[^>]*>.*?</\(element)\\s*>", with: "", options: [.regularExpression, .caseInsensitive])
        }
        text = text.replacingOccurrences(of: "<!--.*?-->", with: "", options: .regularExpression)
        // Source line breaks are layout, not content.
        text = text.replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
        // A link keeps its target: "Reset password (https://...)", or the URL alone when it is the text.
        text = replaceLinks(in: text)
        text = text.replacingOccurrences(of: "<br\\s*/?>", with: "\n", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(of: "<li\\b[^>]*>", with: "\n- ", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(of: "</?(p|div|h[1-6]|tr|table|ul|ol|blockquote)\\b[^>]*>", with: "\n\n", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
        text = decodeEntities(text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var result: [String] = []
        for line in lines where !(line.isEmpty && (result.last?.isEmpty ?? true)) {
            result.append(line)
        }
        while result.last?.isEmpty == true { result.removeLast() }
        return result.joined(separator: "\n") + "\n"
    }

    // Compiled once: these run on every render of an HTML-only template. The patterns are
    // literals, so compiling them cannot fail at run time.
    private static let link = try! NSRegularExpression(
        pattern: "<a\\b[^>]*?href\\s*=\\s*[\"']([^\"']*)[\"'][^>]*>(.*?)</a\\s*>", options: [.caseInsensitive])
    private static let entity = try! NSRegularExpression(pattern: "&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+|#39);")

    private static func replaceLinks(in text: String) -> String {
        var result = ""
        var last = text.startIndex
        for match in link.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let whole = Range(match.range, in: text), let hrefRange = Range(match.range(at: 1), in: text),
                  let labelRange = Range(match.range(at: 2), in: text) else { continue }
            result += text[last..<whole.lowerBound]
            let href = decodeEntities(String(text[hrefRange]))
            let label = text[labelRange].replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
                .trimmingCharacters(in: .whitespaces)
            let readable = decodeEntities(label)
            // Entities stay encoded here so the final decoding pass sees them once.
            result += readable.isEmpty || readable == href ? encode(href) : "\(label) (\(encode(href)))"
            last = whole.upperBound
        }
        result += text[last...]
        return result
    }

    private static func encode(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "#39": "'"]
        var result = ""
        var last = text.startIndex
        for match in entity.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let whole = Range(match.range, in: text), let nameRange = Range(match.range(at: 1), in: text) else { continue }
            result += text[last..<whole.lowerBound]
            let name = String(text[nameRange])
            if let value = named[name] {
                result += value
            } else if name.hasPrefix("#x"), let code = UInt32(name.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(code) {
                result.unicodeScalars.append(scalar)
            } else if name.hasPrefix("#"), let code = UInt32(name.dropFirst()), let scalar = Unicode.Scalar(code) {
                result.unicodeScalars.append(scalar)
            } else {
                result += text[whole]
            }
            last = whole.upperBound
        }
        result += text[last...]
        return result
    }
}
