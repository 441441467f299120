// SwiftPM links an executable target's program with `--defsym main=<module>_main`, expecting
// the module's own entry point; a fuzz target has none (libFuzzer owns main). These definitions
// give each fuzz module that symbol and hand over to libFuzzer's driver, which calls the
// module's LLVMFuzzerTestOneInput. Each executable uses only its own; the others are unused.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

static int run(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}

int fuzz_mustache_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_address_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_mime_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_smtp_reply_main(int argc, char **argv) { return run(argc, argv); }
