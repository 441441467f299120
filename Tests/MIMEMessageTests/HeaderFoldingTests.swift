import Foundation
import Testing
@testable import MIMEMessage

@Suite("Header folding")
struct HeaderFoldingTests {
    private func unfold(_ folded: String) -> String {
        folded.replacingOccurrences(of: "\r\n", with: "")
    }

    @Test func shortHeaderUntouched() {
        #expect(HeaderFolding.fold(name: "Subject", value: "Hello") == "Subject: Hello")
    }

    @Test(arguments: [
        String(repeating: "word ", count: 60),
        String(repeating: "a ", count: 100) + "end",
        String(repeating: "abcdefghij", count: 6) + " " + String(repeating: "klmnopqrst", count: 7) + " tail",
        "trailing spaces   ",
    ])
    func foldsAtWhitespaceAndUnfoldsBack(_ value: String) {
        let folded = HeaderFolding.fold(name: "Subject", value: value)
        #expect(unfold(folded) == "Subject: " + value)
        let lines = folded.components(separatedBy: "\r\n")
        for (i, line) in lines.enumerated() {
            #expect(line.utf8.count <= 78, "\(line)")
            if i > 0 {
                #expect(line.first == " " || line.first == "\t")
                #expect(!line.allSatisfy { $0 == " " || $0 == "\t" }, "whitespace-only line")
            }
        }
    }

    /// Folding never invents whitespace, so a long run of it stays on one line; the
    /// Subject writer switches to encoded-words in that case (see MailMessageTests).
    @Test func longWhitespaceRunIsPreserved() {
        let value = "x" + String(repeating: " ", count: 100) + "y"
        let folded = HeaderFolding.fold(name: "Subject", value: value)
        #expect(unfold(folded) == "Subject: " + value)
        for line in folded.components(separatedBy: "\r\n").dropFirst() {
            #expect(!line.allSatisfy { $0 == " " }, "whitespace-only line")
        }
    }

    @Test func unbreakableTokenStaysWhole() {
        let token = String(repeating: "z", count: 120)
        let folded = HeaderFolding.fold(name: "X-Token", value: "a \(token) b")
        #expect(folded == "X-Token: a\r\n \(token)\r\n b")
    }
}
