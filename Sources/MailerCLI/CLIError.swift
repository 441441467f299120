/// A failure the user can fix (a missing file, bad JSON); printed as "Error: ..." without the usage text.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
