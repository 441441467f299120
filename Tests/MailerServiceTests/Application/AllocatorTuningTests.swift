import Testing
@testable import MailerService

@Suite struct AllocatorTuningTests {
    @Test func appliesWhenTheEnvironmentLeavesMallocAlone() {
        #expect(AllocatorTuning.shouldApply(environment: [:]))
        #expect(AllocatorTuning.shouldApply(environment: ["GLIBC_TUNABLES": "glibc.pthread.rseq=0", "MALLOC": "x", "SMTP_HOST": "h"]))
    }

    /// An operator who tuned malloc knows better: their settings stay as they are.
    @Test(arguments: [
        ["GLIBC_TUNABLES": "glibc.malloc.trim_threshold=1048576"],
        ["GLIBC_TUNABLES": "glibc.pthread.rseq=0:glibc.malloc.arena_max=2"],
        ["MALLOC_ARENA_MAX": "2"],
        ["MALLOC_TRIM_THRESHOLD_": "131072"],
    ])
    func anOperatorsOwnMallocSettingsWin(_ environment: [String: String]) {
        #expect(!AllocatorTuning.shouldApply(environment: environment))
        #expect(!AllocatorTuning.apply(environment: environment))
    }

    #if canImport(Glibc)
    @Test func glibcTakesTheSettings() {
        #expect(AllocatorTuning.apply(environment: [:]))
    }
    #endif
}
