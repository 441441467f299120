/// The bound a render reached, with the fix it most likely needs.
public enum MustacheRenderLimitReached: Sendable, Equatable, CustomStringConvertible {
    case outputBytes(Int)
    case steps(Int)
    case expansionDepth(Int)
    case nesting(Int)

    public var description: String {
        switch self {
        case .outputBytes(let bytes):
            return "the output grew past \(Self.size(bytes)) (is a list in the data far longer than expected, or a partial included in a loop?)"
        case .steps(let steps):
            return "the work passed \(steps) steps (sections over lists nested inside each other, or partials included in loops, multiply the work: check list lengths and the template's nesting)"
        case .expansionDepth(let depth):
            return "partials and layouts nested more than \(depth) deep (a partial that includes itself needs a section that ends the recursion)"
        case .nesting(let levels):
            return "sections and partials nested more than \(levels) levels deep (move the deepest sections into a partial that is not included recursively, or flatten the data)"
        }
    }

    /// Whole mebibytes read as such ("16 MiB"); other sizes in bytes.
    static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }
}
