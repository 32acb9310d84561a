#include "pactum/extract/options.h"

#include <string_view>

namespace pactum::extract {

bool ParseOcrMode(std::string_view s, OcrMode* out) {
  if (s == "auto") *out = OcrMode::kAuto;
  else if (s == "always") *out = OcrMode::kAlways;
  else if (s == "never") *out = OcrMode::kNever;
  else return false;
  return true;
}

}  // namespace pactum::extract
