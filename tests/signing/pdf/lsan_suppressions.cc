// LeakSanitizer's hook for suppressions built into the test binary:
// allocations that third-party libraries keep for the life of the process.
// fontconfig caches its configuration when Poppler looks up a non-embedded
// font (Helvetica in signature appearances) while rendering.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }
