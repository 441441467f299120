import Foundation
import Logging
import Testing
@testable import MailerService

@Suite struct JSONLogHandlerTests {
    @Test func lineIsOneJSONObjectWithFlattenedMetadata() throws {
        let line = JSONLogHandler.line(
            level: .error, message: "email not sent \"quoted\"\nsecond line",
            metadata: ["code": "ECONNREFUSED", "smtp_code": .stringConvertible(550), "list": .array(["a"])],
            date: Date(timeIntervalSince1970: 0)
        )
        #expect(line.hasSuffix("}\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["ts"] as? String == "1970-01-01T00:00:00.000Z")
        #expect(object["level"] as? String == "error")
        #expect(object["msg"] as? String == "email not sent \"quoted\"\nsecond line")
        #expect(object["code"] as? String == "ECONNREFUSED")
        #expect(object["smtp_code"] as? Int == 550)
        #expect(line.contains(#""code":"ECONNREFUSED""#))
    }
}
