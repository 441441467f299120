/// A step into a JSON body: a member of an object or an element of an array. Apart from
/// `JSONLimits` (which needs Hummingbird for its problems) so that Benchmarks/json-bench.sh can
/// compile the reader without the server.
enum JSONPathComponent: Equatable {
    case member(String)
    case index(Int)

    /// `data.items[3].name`, as problems' `field` names it; `body` for the body itself.
    static func text(_ components: [JSONPathComponent]) -> String {
        guard !components.isEmpty else { return "body" }
        var text = ""
        for component in components {
            switch component {
            case .member(let name): text += text.isEmpty ? name : ".\(name)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }
}
