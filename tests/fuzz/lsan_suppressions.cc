// LeakSanitizer suppressions for the fuzz targets. fontconfig caches its
// configuration for the life of the process when Poppler looks up a font
// that is not embedded; LeakSanitizer reports that cache at exit.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }
