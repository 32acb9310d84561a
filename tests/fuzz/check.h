// Invariant checks for the fuzz targets. A failed check prints what failed
// and aborts, so libFuzzer and the replay driver both report it as a crash
// (with the input that caused it). Checks run in every build type: they are
// the targets' oracle, not debug assertions.
#pragma once

#include <cstdio>
#include <cstdlib>

#define PACTUM_FUZZ_CHECK(cond)                                                        \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)
