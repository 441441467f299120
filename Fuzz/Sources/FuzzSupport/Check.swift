/// A violated invariant: trap so libFuzzer reports it and keeps the input.
public func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                  file: StaticString = #fileID, line: UInt = #line) {
    if !condition() {
        // Long enough to recognise the input; libFuzzer keeps the whole input in a file anyway.
        fatalError("invariant violated: \(message().prefix(600))", file: file, line: line)
    }
}
