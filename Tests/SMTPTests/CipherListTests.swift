import Testing
@testable import SMTP

@Suite struct CipherListTests {
    @Test func explicitNamesStayInOrder() throws {
        #expect(try CipherList.resolve("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384")
            == "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384")
    }

    @Test func aliasesCombineAndExclude() throws {
        let list = try CipherList.resolve("HIGH:!aNULL:!MD5:!kRSA:!PSK").split(separator: ":")
        #expect(list.contains("ECDHE-ECDSA-AES256-GCM-SHA384"))
        #expect(!list.contains("AES128-SHA"))
        #expect(!list.contains { $0.contains("PSK") })
        #expect(try CipherList.resolve("ECDHE+AESGCM") .split(separator: ":").allSatisfy { $0.hasPrefix("ECDHE") && $0.contains("GCM") })
    }

    @Test func removedCiphersCannotComeBack() throws {
        #expect(!(try CipherList.resolve("!3DES:ALL").contains("DES-CBC3-SHA")))
    }

    @Test(arguments: ["NOT-A-CIPHER:ALSO-NOT", "ECDHE-RSA-AES128-GCM-SHA265", "TLS_AES_128_GCM_SHA256", "HIGH:!HIGH", "PSK", "", "aNULL"])
    func unusableListsAreRefusedNotCrashed(_ spec: String) {
        #expect(throws: SMTPConfigurationError.self) { try CipherList.resolve(spec) }
    }

    @Test func versionWordsThatAreNotAMinimumAreCipherAliases() throws {
        // "TLSv1" is OpenSSL's alias for the CBC suites, never a way to allow TLS 1.0.
        #expect(try CipherList.resolve("TLSv1").split(separator: ":").allSatisfy { $0.hasSuffix("SHA") })
        #expect(throws: SMTPConfigurationError.self) { try CipherList.resolve("TLSv1.1") }
    }

    @Test func everyResolvedListIsAcceptedByTheTLSLibrary() throws {
        for spec in ["HIGH", "ECDHE+AESGCM:ECDHE+CHACHA20", "ALL:-kRSA:+SHA1", "DEFAULT:@STRENGTH", "AES256-SHA"] {
            _ = try SMTPTLSContext.make(.init(cipherSpec: spec))
        }
    }
}
