/// What JSONReader uses of the service's JSONLimits (JSONLimits.swift itself needs Hummingbird
/// for its problems): the path components and their text, as in Sources/MailerService/HTTP/Limits.
enum JSONLimits {
    enum PathComponent: Equatable {
        case member(String)
        case index(Int)
    }

    static func path(_ components: [PathComponent]) -> String {
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
