// Options and limits for one extraction. Every limit has a documented
// default; the service may tighten them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "pactum/models/status.h"

namespace pactum::extract {

class OcrEnginePool;

enum class OcrMode { kAuto, kAlways, kNever };

struct Limits {
  // Documents with more pages are refused (422) before any page is read.
  int max_pages = 2000;
  // Largest raster a PDF page is rendered to (for OCR), in pixels at the
  // render resolution; a page that would need more is refused (422) before
  // rendering. 300 dpi A3 is about 17.4 million pixels.
  long long max_page_pixels = 60'000'000;
  // Largest decoded image accepted, in pixels: image uploads (each TIFF
  // page), checked from the headers before decoding, so that a file claiming
  // absurd dimensions or inflating to gigabytes (decompression bomb) is
  // refused (422) without allocating. 600 dpi A3 is about 70 million pixels.
  long long max_image_pixels = 100'000'000;
  // Most objects a PDF may declare (DeclaredPdfObjects: /Size, cross-
  // reference subsections, object numbers), checked before Poppler sizes its
  // tables from them; more is refused (422). Agreements have thousands.
  long long max_pdf_objects = 1'000'000;
  // Largest page edge in PDF points (200 inch); bigger pages are refused.
  double max_page_edge_pt = 14400.0;
  // Wall-clock budget for one document; past it the extraction stops with
  // ErrorCode::kTimeout. Zero means no deadline.
  std::chrono::milliseconds deadline{0};
};

struct ExtractOptions {
  OcrMode ocr = OcrMode::kAuto;
  std::string lang = "deu+eng";     // Tesseract language list
  int render_dpi = 300;             // PDF pages rendered for OCR at this resolution
  int max_ocr_threads = 0;          // pages OCRed in parallel; 0 = hardware threads
  Limits limits;
  // Fill the record's document.text with the full text of the pages read
  // (FullText in fields.h). Off: the member is left unset.
  bool full_text = false;
  // Absolute deadline, set by Extract() from limits.deadline; stages check
  // it between units of work (pages) and stop with ErrorCode::kTimeout.
  std::optional<std::chrono::steady_clock::time_point> not_after;
  // Reused OCR engines (one per worker thread). Not owned; may be null, in
  // which case the extraction creates engines for its own use.
  OcrEnginePool* ocr_engines = nullptr;

  // Progress: called each time a page has been read (text layer or OCR),
  // with the pages read so far and the document's page count. Called from
  // the page threads, one call at a time (never two at once), pages_done
  // rising by one from call to call, so that the last call of a complete
  // extraction is (n, n). Must be quick and must not throw. Empty: none.
  std::function<void(int pages_done, int pages_total)> on_page_done;

  // Cancellation: once *cancel is true, no further page is started, the OCR
  // of pages in flight stops within a few words, and the extraction fails
  // with Error::Cancelled() (IsCancelled). Checked before each stage and
  // each page. Not owned, must outlive the call; null: none.
  const std::atomic<bool>* cancel = nullptr;

  // Partial results at the deadline (needs limits.deadline). The page stage
  // then has its own, earlier deadline, PagesDeadline(limits.deadline) from
  // the start: when it passes, no page is started any more, the OCR of
  // pages in flight stops (their text is dropped), and the fields are read
  // from the pages read so far; the record says partial: true and lists the
  // pages not read in missing_pages. The rest of the time is for the fields
  // stage and the answer. A page whose rendering (which cannot be
  // interrupted) outlasts that reserve delays the answer, never loses it:
  // a partial extraction does not fail with kTimeout after its page stage
  // (a caller with a hard limit, such as the worker pool, enforces its
  // own). Off: past the deadline the extraction fails with kTimeout, as it
  // always did.
  bool partial_at_deadline = false;
  // The pages to read, 1-based and inclusive; last_page 0: to the last.
  // Only ExtractPages() reads a part of a document (jobs split a long scan
  // into parts that several workers read at once); Extract() reads all.
  int first_page = 1;
  int last_page = 0;

  // The page stage's deadline when partial_at_deadline: unset, Extract()
  // sets it from PagesDeadline() (ReadPages called alone: from its start).
  std::optional<std::chrono::steady_clock::time_point> pages_not_after;
};

// The time the page stage of a partial extraction gets out of a deadline of
// `deadline`: what is left after keeping back max(2 s, 10 %) for the fields
// stage and the answer, that reserve at most half of `deadline`. 120 s give
// the pages 108 s, 10 s give them 8 s, 3 s give them 1.5 s.
std::chrono::milliseconds PagesDeadline(std::chrono::milliseconds deadline);

// The CPUs this process may use: those of its affinity mask (taskset,
// cpusets), at most its cgroup's CPU quota rounded up (cgroup v2 cpu.max, a
// container's CPU limit), at least 1. The default of every thread count
// (OCR threads, workers), so that a container given 2 CPUs of a 64-core
// node starts 2, not 64.
int AvailableCpus();

// Parses "auto" / "always" / "never". Returns false on anything else.
bool ParseOcrMode(std::string_view s, OcrMode* out);

// The canonical form of a Tesseract language list: names joined by "+",
// duplicates dropped, order kept ("deu+eng+deu" -> "deu+eng"). Fails with
// kBadRequest when a name is malformed or its traineddata is not installed
// (in $TESSDATA_PREFIX, else Debian's tessdata folder).
Result<std::string> CanonicalLanguages(std::string_view list);

}  // namespace pactum::extract
