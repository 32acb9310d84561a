// How many objects a PDF's bytes claim to have, read without parsing it.
//
// Poppler sizes its cross-reference table from what a file declares: the
// trailer's or cross-reference stream's /Size, the "first count" headers of
// cross-reference subsections, and, when it rebuilds a damaged file, the
// numbers of "N G obj" headers. A 40 KB file that declares 20 million
// objects costs it gigabytes (and a copy per page), so the declaration is
// checked against a limit before Poppler sees the file.
#pragma once

#include <optional>
#include <string_view>

#include "pactum/models/status.h"

namespace pactum::extract {

// The largest object count any of those places declares (a /Size value,
// first + count of a subsection, or an object number + 1); 0 when none.
// Saturates at 10^18. Linear in the size of `pdf`.
long long DeclaredPdfObjects(std::string_view pdf);

// kUnprocessable naming both numbers when DeclaredPdfObjects(pdf) is over
// `max_objects`; nullopt otherwise. Extract() checks it before opening a
// PDF; verification and signing, which render with Poppler too, call it.
std::optional<Error> CheckDeclaredPdfObjects(std::string_view pdf, long long max_objects);

}  // namespace pactum::extract
