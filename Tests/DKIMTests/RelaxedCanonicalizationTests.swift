import Testing
@testable import DKIM

@Suite struct RelaxedCanonicalizationTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// RFC 6376 §3.4.6, the example of the relaxed forms.
    @Test func theRFCExample() {
        let message = Self.bytes("A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n")
        let fields = HeaderFields(message: message)
        #expect(fields.fields.map(\.name) == ["a", "b"])
        #expect(String(decoding: fields.fields.flatMap { RelaxedCanonicalization.header($0.raw) }, as: UTF8.self) == "a:X\r\nb:Y Z\r\n")
        #expect(String(decoding: RelaxedCanonicalization.body(fields.body), as: UTF8.self) == " C\r\nD E\r\n")
    }

    @Test func anEmptyBodyStaysEmptyAndTrailingEmptyLinesGo() {
        #expect(RelaxedCanonicalization.body([]).isEmpty)
        #expect(RelaxedCanonicalization.body(ArraySlice(Self.bytes("\r\n\r\n"))).isEmpty)
        #expect(String(decoding: RelaxedCanonicalization.body(ArraySlice(Self.bytes("a\r\n\r\nb"))), as: UTF8.self) == "a\r\n\r\nb\r\n")
    }

    @Test func headerNamesAreLowerCasedAndValuesUnfolded() {
        let field = ArraySlice(Self.bytes("Subject:   Hello\r\n\t  World \t"))
        #expect(String(decoding: RelaxedCanonicalization.header(field), as: UTF8.self) == "subject:Hello World\r\n")
    }

    @Test func aMessageWithoutBodyHasAnEmptyBody() {
        let fields = HeaderFields(message: Self.bytes("From: a@x.test\r\nTo: b@y.test\r\n"))
        #expect(fields.fields.map(\.name) == ["from", "to"])
        #expect(fields.body.isEmpty)
        #expect(String(decoding: fields.fields[1].raw, as: UTF8.self) == "To: b@y.test")
    }
}
