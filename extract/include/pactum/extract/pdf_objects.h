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
#include <string>
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

// `pdf` with an incremental update appended that restates its catalogue
// without /OutputIntents; nullopt (use `pdf` as it is) when the catalogue has
// none, or the file is encrypted, or it does not parse cleanly (qpdf, no
// repair, no warnings).
//
// Why: Poppler turns a document's output intent into its display colour
// profile and builds four colour transforms to it (lcms) every time it reads
// or draws a page. For the ICC profiles common in PDF/A files that is 130 to
// 670 million instructions a page, far more than reading the page's text:
// nine tenths of the time of a 100-page PDF/A contract. Words, their boxes
// and every other part of the catalogue are unchanged.
std::optional<std::string> WithoutOutputIntents(std::string_view pdf);

}  // namespace pactum::extract
