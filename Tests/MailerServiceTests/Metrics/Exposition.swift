import Foundation

/// The Prometheus text format read back into series, so tests ask for a value by name and labels
/// whatever order the labels were written in.
struct Exposition {
    struct Series: Hashable {
        let name: String
        let labels: [String: String]
    }

    let text: String
    let values: [Series: Double]

    init(_ text: String) {
        self.text = text
        var values: [Series: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) ?? (line.hasSuffix(" nan") ? .nan : nil) else { continue }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else {
                values[Series(name: String(series), labels: [:])] = value
                continue
            }
            var labels: [String: String] = [:]
            // Label values here hold no quotes or commas (route templates, codes, states).
            for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
            }
            values[Series(name: String(series[..<brace]), labels: labels)] = value
        }
        self.values = values
    }

    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        values[Series(name: name, labels: labels)]
    }

    /// Every series of a name, e.g. the buckets of a histogram.
    func series(_ name: String) -> [Series: Double] {
        values.filter { $0.key.name == name }
    }

    /// The TYPE line of a metric family.
    func type(of name: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix("# TYPE \(name) ") }.map { String($0.split(separator: " ").last ?? "") }
    }
}
