// The page stage: for every page, text layer or OCR.
//
// Decision (per page, logged and recorded in PageInfo):
//   ocr=never   the text layer, whatever it holds;
//   ocr=always  OCR;
//   ocr=auto    by JudgeTextLayer(): a real text layer is read as it is; a
//               garbage or invisible one is OCRed. A page with little or no
//               text is first rendered at low resolution (a glance): it is
//               OCRed only when the rendering shows letters that no word of
//               the text layer covers (CountUnreadGlyphs), as on a scanned
//               page ("no-text-layer") or a table pasted as a picture under a
//               typed caption ("too-little-text"); otherwise its text layer is
//               all there is ("sparse-text-layer", "blank-page"). Where
//               those marks stand together on a part of a page that has a
//               text layer (pictures of tables or forms in an exhibit), only
//               that part is OCRed and the text layer is kept around it
//               ("too-little-text: ..."). A page
//               that draws too few marks besides its text to hold a
//               line of text (Document::MarksBesidesText: a drawn
//               signature, a logo of a few paths) needs no glance. Image
//               documents have no text layer: every page is OCRed.
// OCR of a page: render (Document::Render, ExtractOptions::render_dpi) ->
// clean-up (ocr/leptonica_cleanup) -> engine (ocr/tesseract_engine) -> layout
// on the upright page -> boxes mapped back onto the page as submitted.
//
// Parallelism: up to N workers (ExtractOptions::max_ocr_threads; when 0, the
// environment variable PACTUM_OCR_THREADS, else the hardware threads) take
// pages in order. Each extra worker reads (text layer, rendering) from its own
// reopened Document, as a Document is single-threaded; if reopening fails the
// workers share one under a mutex. Clean-up and OCR always run in parallel. Each worker
// holds at most one page image at a time, so memory stays bounded whatever
// the page count. Engines come from ExtractOptions::ocr_engines, or from a
// pool made for this call, and are only created when a page needs OCR.
#include "pactum/extract/pages.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <new>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

#include "ocr/module.h"
#include "pactum/extract/ocr_engine.h"

namespace pactum::extract {
namespace {

using Clock = std::chrono::steady_clock;

long long MsSince(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
}

// The range of pages to read (ExtractOptions::first_page, last_page),
// within the document's `pages`.
int FirstPage(const ExtractOptions& options, int pages) { return std::clamp(options.first_page, 1, std::max(1, pages)); }
int LastPage(const ExtractOptions& options, int pages) {
  return options.last_page <= 0 ? pages : std::clamp(options.last_page, FirstPage(options, pages), pages);
}

int WorkerCount(const ExtractOptions& options, int pages) {
  int n = options.max_ocr_threads;
  if (n <= 0) {
    if (const char* env = std::getenv("PACTUM_OCR_THREADS"); env != nullptr) {
      char* end = nullptr;
      const long v = std::strtol(env, &end, 10);
      if (end != env && *end == '\0' && v > 0 && v <= 256) n = static_cast<int>(v);
    }
  }
  if (n <= 0) n = AvailableCpus();
  return std::clamp(n, 1, std::max(1, pages));
}

// The glance at a page with little or no text: 100 dpi shows 8-point type
// as marks, with a ninth of the pixels of an OCR rendering at 300 dpi; a page
// of more than 400 square inches (larger than A2) is glanced at a lower
// resolution, within kGlancePixels.
constexpr int kGlanceDpi = 100;
constexpr double kGlancePixels = 4e6;
// A page whose glance shows this many letter- or word-sized marks outside
// the text layer's words has text the layer lacks. On the development
// corpora, born-digital pages with signatures, logos, photographs and rules
// leave at most 30; scanned pages, and tables, forms or signature blocks
// pasted as pictures, leave 98 and more.
constexpr int kMinUnreadGlyphs = 40;

// Only the part of a page that shows text the layer lacks is OCRed when it
// covers at most this share of the page (with the margin below around it).
constexpr double kMaxRegionShare = 0.5;
constexpr double kRegionMarginPt = 18;  // a quarter inch: letters cut at the glance's edge

struct Decision {
  Decision(bool ocr_in = false, bool blank_in = false, std::string reason_in = {},
           std::optional<Box> region_in = std::nullopt)
      : ocr(ocr_in), blank(blank_in), reason(std::move(reason_in)), region(region_in) {}
  bool ocr;
  bool blank;  // no text layer, and nothing to read on the page
  std::string reason;
  std::optional<Box> region;  // OCR this part only and keep the text layer
};

// The part of the page to OCR around `marks`, or none when it would cover
// most of the page anyway.
std::optional<Box> OcrRegion(const UnreadMarks& marks, const PageText& text) {
  const Box r{std::max(0.0, marks.box.x0 - kRegionMarginPt), std::max(0.0, marks.box.y0 - kRegionMarginPt),
              std::min(text.width_pt, marks.box.x1 + kRegionMarginPt),
              std::min(text.height_pt, marks.box.y1 + kRegionMarginPt)};
  const double page_area = text.width_pt * text.height_pt;
  if (r.width() <= 0 || r.height() <= 0 || page_area <= 0) return std::nullopt;
  if (r.width() * r.height() > kMaxRegionShare * page_area) return std::nullopt;
  return r;
}

// ocr=auto on a PDF page with little (kSparse) or no (kNone) text: renders
// the page at low resolution and OCRs it when the rendering shows more than
// the text layer holds. A page that cannot be rendered keeps its text layer
// if it has one; one without is sent to OCR, whose rendering reports why.
Decision DecideSparse(TextLayerQuality quality, const PageText& text, Document& doc) {
  const bool none = quality == TextLayerQuality::kNone;
  // A page that draws fewer marks besides its text than the glance would
  // need to see text the layer lacks: no glance needed.
  if (const std::optional<int> marks = doc.MarksBesidesText(text.page, kMinUnreadGlyphs);
      marks && *marks < kMinUnreadGlyphs) {
    spdlog::debug("page {}: at most {} marks besides its text, no glance", text.page, *marks);
    return none ? Decision{false, true, "blank-page"} : Decision{false, false, "sparse-text-layer"};
  }
  const double area_in2 = (text.width_pt / 72.0) * (text.height_pt / 72.0);
  int dpi = kGlanceDpi;
  if (area_in2 > 0) dpi = std::clamp(static_cast<int>(std::sqrt(kGlancePixels / area_in2)), 18, kGlanceDpi);
  auto glance = doc.Render(text.page, dpi);
  if (!glance.ok()) return none ? Decision{true, false, "no-text-layer"} : Decision{false, false, "sparse-text-layer"};
  const UnreadMarks unread = FindUnreadMarks(text, *glance);
  spdlog::debug("page {}: glance at {} dpi, {} marks outside the text layer", text.page, dpi, unread.count);
  if (unread.count >= kMinUnreadGlyphs) {
    if (none) return {true, false, "no-text-layer"};
    if (auto region = OcrRegion(unread, text)) {
      return {true, false, "too-little-text: the part of the page without a text layer OCRed", region};
    }
    return {true, false, "too-little-text"};
  }
  return none ? Decision{false, true, "blank-page"} : Decision{false, false, "sparse-text-layer"};
}

Decision Decide(OcrMode mode, bool is_image, const PageText& text, Document& doc) {
  if (mode == OcrMode::kAlways) return {true, false, "ocr=always"};
  if (is_image) {
    return mode == OcrMode::kNever ? Decision{false, false, "ocr=never (image)"} : Decision{true, false, "image"};
  }
  std::string why;
  const TextLayerQuality quality = JudgeTextLayer(text, &why);
  const bool usable = quality == TextLayerQuality::kText || quality == TextLayerQuality::kSparse;
  if (mode == OcrMode::kNever) return {false, false, usable ? why : "ocr=never (" + why + ")"};
  switch (quality) {
    case TextLayerQuality::kText: return {false, false, why};
    case TextLayerQuality::kInvisible:
    case TextLayerQuality::kGarbage: return {true, false, why};
    case TextLayerQuality::kNone:
    case TextLayerQuality::kSparse: break;
  }
  return DecideSparse(quality, text, doc);
}

// Of the words read by OCR.
double MeanConfidence(const PageText& page) {
  double sum = 0;
  int n = 0;
  for (const Word& w : page.words) {
    if (!w.ocr) continue;
    sum += w.confidence;
    ++n;
  }
  return n == 0 ? 0.0 : sum / n;
}

bool HasOcrWords(const PageText& page) {
  return std::any_of(page.words.begin(), page.words.end(), [](const Word& w) { return w.ocr; });
}

// `ocr`, read from a part of the page whose pixel (0, 0) lies at `origin`,
// put on the page beside the words of its text layer `layer`: a word the
// layer holds already (its centre inside a layer word's box, or half its box
// covered by layer words, as when OCR runs two typed words together) is
// dropped.
PageText PlaceOnPage(PageText layer, PageText ocr, double origin_x, double origin_y) {
  const size_t typed = layer.words.size();
  for (Word& w : ocr.words) {
    w.box = Box{w.box.x0 + origin_x, w.box.y0 + origin_y, w.box.x1 + origin_x, w.box.y1 + origin_y};
    const double cx = (w.box.x0 + w.box.x1) / 2, cy = (w.box.y0 + w.box.y1) / 2;
    double covered = 0;
    bool held = false;
    for (size_t k = 0; k < typed && !held; ++k) {
      const Box& l = layer.words[k].box;
      held = cx >= l.x0 - 1 && cx <= l.x1 + 1 && cy >= l.y0 - 1 && cy <= l.y1 + 1;
      const double ix = std::min(w.box.x1, l.x1) - std::max(w.box.x0, l.x0);
      const double iy = std::min(w.box.y1, l.y1) - std::max(w.box.y0, l.y0);
      if (ix > 0 && iy > 0) covered += ix * iy;
    }
    held = held || covered >= 0.5 * w.box.width() * w.box.height();
    if (!held) layer.words.push_back(std::move(w));
  }
  layer.source = TextSource::kOcr;
  BuildLayout(&layer);
  return layer;
}

// Maps every box of `page` (laid out on the cleaned image) onto the page as
// submitted.
void MapToOriginal(const ocr::PageGeometry& g, PageText* page) {
  for (Word& w : page->words) w.box = g.ToOriginal(w.box);
  for (Line& l : page->lines) l.box = g.ToOriginal(l.box);
  for (Block& b : page->blocks) b.box = g.ToOriginal(b.box);
  page->width_pt = g.width_pt;
  page->height_pt = g.height_pt;
  page->quarter_turns = ((g.quarter_turns % 4) + 4) % 4;
}

// Renders, cleans up and recognises page `image.page` with `engine`.
Result<PageText> OcrPage(PageImage image, OcrEngine& engine, const ocr::CleanupOptions& cleanup) {
  const int page = image.page;
  const auto t0 = Clock::now();
  auto cleaned = ocr::CleanUp(image, &engine, cleanup);
  image = PageImage{};  // free the raw raster before recognition
  if (!cleaned.ok()) return cleaned.error();
  const long long clean_ms = MsSince(t0);
  const auto t1 = Clock::now();
  auto text = engine.Recognize(cleaned->image);
  if (!text.ok()) return text.error();
  const ocr::PageGeometry geometry = cleaned->geometry;
  spdlog::debug("page {}: clean-up {} ms [{}], OCR {} ms, {} words", page, clean_ms, cleaned->summary, MsSince(t1),
                text->words.size());
  text->page = page;
  text->source = TextSource::kOcr;
  for (Word& w : text->words) w.ocr = true;  // whatever engine read them
  BuildLayout(&*text);  // on the upright, deskewed page
  MapToOriginal(geometry, &*text);
  return text;
}

class PageRunner {
 public:
  PageRunner(Document& doc, const ExtractOptions& options, OcrEnginePool& pool)
      : doc_(doc),
        options_(options),
        pool_(pool),
        n_(doc.page_count()),
        first_(FirstPage(options, n_)),
        last_(LastPage(options, n_)),
        is_image_(doc.media_type() != MediaType::kPdf),
        texts_(static_cast<size_t>(last_ - first_ + 1)),
        infos_(static_cast<size_t>(last_ - first_ + 1)),
        start_(Clock::now()),
        pages_not_after_(PagesNotAfter()) {}

  Result<PagesResult> Run(int workers) {
    std::vector<std::thread> threads;
    for (int i = 1; i < workers; ++i) {
      try {
        threads.emplace_back([this] { Work(/*own_document=*/true); });
      } catch (const std::system_error& e) {
        spdlog::warn("pages: could start only {} of {} workers: {}", i, workers, e.what());
        break;
      }
    }
    Work(/*own_document=*/false);
    for (auto& t : threads) t.join();
    if (error_) return *error_;
    PagesResult out;
    out.pages.reserve(texts_.size());
    for (size_t i = 0; i < texts_.size(); ++i) {
      // Only a partial extraction leaves pages unread (else error_ is set).
      if (!texts_[i]) {
        out.missing_pages.push_back(first_ + static_cast<int>(i));
        continue;
      }
      out.pages.push_back(std::move(*texts_[static_cast<size_t>(i)]));
      out.page_info.push_back(std::move(infos_[static_cast<size_t>(i)]));
    }
    if (!out.missing_pages.empty()) {
      spdlog::warn("pages: {} of {} pages not read by the page stage's deadline; the record is partial",
                   out.missing_pages.size(), texts_.size());
    }
    out.warnings = std::move(warnings_);
    SortWarnings(&out.warnings);
    return out;
  }

 private:
  // The document's deadline: the absolute one Extract() set, else
  // limits.deadline from the start of this stage (ReadPages called alone).
  bool Expired() const {
    const auto now = Clock::now();
    if (options_.not_after) return now > *options_.not_after;
    return options_.limits.deadline.count() > 0 && now - start_ > options_.limits.deadline;
  }

  // Partial extraction: the page stage's own deadline (PagesDeadline).
  std::optional<Clock::time_point> PagesNotAfter() const {
    if (!options_.partial_at_deadline) return std::nullopt;
    if (options_.pages_not_after) return options_.pages_not_after;
    if (options_.limits.deadline.count() <= 0) return std::nullopt;
    return start_ + PagesDeadline(options_.limits.deadline);
  }

  bool PagesExpired() const { return pages_not_after_ && Clock::now() > *pages_not_after_; }

  bool Cancelled() const { return options_.cancel != nullptr && options_.cancel->load(); }

  // `own_document`: this worker reads from its own reopened copy of the
  // document, so that rendering runs in parallel; else (or when reopening
  // fails) it shares the caller's document under doc_mu_.
  void Work(bool own_document) {
    std::shared_ptr<OcrEngine> engine;
    std::unique_ptr<Document> own;
    try {
      if (own_document) {
        auto reopened = doc_.Reopen();
        if (reopened.ok()) own = std::move(*reopened);
      }
      for (;;) {
        if (failed_.load()) break;
        if (Cancelled()) {
          Fail(Error::Cancelled());
          break;
        }
        // A partial extraction past the page stage's deadline starts no
        // page; those left are missing from the record.
        if (PagesExpired()) break;
        const int page = next_.fetch_add(1);
        if (page > last_) break;
        if (Expired()) {
          Fail(Error::Timeout("the document took longer than the " +
                              std::to_string(options_.limits.deadline.count()) + " ms allowed (at page " +
                              std::to_string(page) + " of " + std::to_string(n_) + ")"));
          break;
        }
        auto r = DoPage(page, own.get(), &engine);
        if (r.ok()) {
          PageDone();
          continue;
        }
        if (Cancelled()) {
          Fail(Error::Cancelled());
        } else if (r.error().code == ErrorCode::kTimeout && PagesExpired()) {
          // Its OCR stopped at the page stage's deadline: the page is left
          // out of a partial record.
          spdlog::info("page {}/{}: abandoned at the page stage's deadline", page, n_);
          continue;
        } else {
          Fail(r.error());
        }
        break;
      }
    } catch (const std::bad_alloc&) {
      Fail(Error::Unprocessable("out of memory while reading the pages; the document is too large"));
    } catch (const std::exception& e) {
      Fail(Error::Internal(std::string("page stage: ") + e.what()));
    }
    if (engine) {
      engine->SetCancel(nullptr);
      pool_.Release(options_.lang, std::move(engine));
    }
  }

  // Counts a page read and tells the caller (ExtractOptions::on_page_done),
  // one call at a time.
  void PageDone() {
    std::lock_guard<std::mutex> lock(progress_mu_);
    ++pages_done_;
    if (options_.on_page_done) options_.on_page_done(pages_done_, last_ - first_ + 1);
  }

  Result<bool> DoPage(int page, Document* own, std::shared_ptr<OcrEngine>* engine) {
    const size_t idx = static_cast<size_t>(page - first_);
    Decision decision;
    std::optional<PageImage> image;
    std::optional<PageText> text;
    {
      std::unique_lock<std::mutex> lock(doc_mu_, std::defer_lock);
      if (!own) lock.lock();
      Document& doc = own ? *own : doc_;
      auto layer = doc.TextLayer(page);
      if (!layer.ok()) return layer.error();
      decision = Decide(options_.ocr, is_image_, *layer, doc);
      if (decision.ocr) {
        auto img = decision.region ? doc.RenderRegion(page, RenderDpi(), *decision.region)
                                   : doc.Render(page, RenderDpi());
        if (!img.ok() && decision.region) {
          spdlog::warn("page {}: its part could not be rendered ({}); the whole page is OCRed", page,
                       img.error().message);
          decision.region.reset();
          decision.reason = "too-little-text";
          img = doc.Render(page, RenderDpi());
        }
        if (!img.ok()) return img.error();
        image = std::move(*img);
        if (decision.region) text = std::move(*layer);  // kept around the part OCRed
      } else {
        text = std::move(*layer);
      }
    }
    PageInfo info;
    info.page = page;
    info.reason = decision.reason;
    if (!decision.ocr) {
      BuildLayout(&*text);
      info.text_source = PageTextSource::kPdfText;
      spdlog::info("page {}/{}: text layer ({}), {} words", page, n_, decision.reason, text->words.size());
      if (decision.blank) {
        AddWarning({"page-empty", "page " + std::to_string(page) + " is blank: no text layer and nothing to read on it",
                    page});
      } else if (text->words.empty()) {
        AddWarning({"page-not-read",
                    "page " + std::to_string(page) + " has no usable text layer and OCR is off (ocr=never); its text was not read",
                    page});
      }
    } else {
      if (!*engine) {
        auto e = pool_.Acquire(options_.lang);
        if (!e.ok()) return e.error();
        *engine = std::move(*e);
      }
      // Rendering cannot be interrupted: past the page stage's deadline
      // (partial extraction) the page is given up before its clean-up.
      if (PagesExpired()) return Error::Timeout("the page stage's deadline passed before page " +
                                                std::to_string(page) + " was recognised");
      const auto t0 = Clock::now();
      // A partial extraction stops OCR at the page stage's deadline.
      (*engine)->SetDeadline(pages_not_after_ ? pages_not_after_ : options_.not_after);
      (*engine)->SetCancel(options_.cancel);
      // A part of a page is upright as the page is: no orientation guess
      // from a few words.
      ocr::CleanupOptions cleanup;
      cleanup.orientation = !decision.region;
      const double origin_x = image->origin_x_pt, origin_y = image->origin_y_pt;
      auto ocr = OcrPage(std::move(*image), **engine, cleanup);
      if (!ocr.ok()) return ocr.error();
      text = decision.region ? PlaceOnPage(std::move(*text), std::move(*ocr), origin_x, origin_y) : std::move(*ocr);
      info.text_source = PageTextSource::kOcr;
      if (HasOcrWords(*text)) info.ocr_mean_confidence = MeanConfidence(*text);
      spdlog::info("page {}/{}: OCR ({}), {} words, mean confidence {:.2f}, {} ms", page, n_, decision.reason,
                   text->words.size(), MeanConfidence(*text), MsSince(t0));
      if (text->words.empty()) {
        AddWarning({"page-empty", "OCR found no text on page " + std::to_string(page), page});
      } else if (decision.region && !HasOcrWords(*text)) {
        AddWarning({"page-part-not-read",
                    "page " + std::to_string(page) +
                        " shows marks like letters outside its text layer (a picture of text?), and OCR read no word there",
                    page});
      }
    }
    texts_[idx] = std::move(text);
    infos_[idx] = std::move(info);
    return true;
  }

  // ExtractOptions::render_dpi, within 72..1200 (else the default 300).
  int RenderDpi() const {
    const int dpi = options_.render_dpi;
    return dpi >= 72 && dpi <= 1200 ? dpi : 300;
  }

  void Fail(Error e) {
    std::lock_guard<std::mutex> lock(result_mu_);
    if (!error_) error_ = std::move(e);
    failed_.store(true);
  }

  void AddWarning(Warning w) {
    std::lock_guard<std::mutex> lock(result_mu_);
    warnings_.push_back(std::move(w));
  }

  Document& doc_;
  const ExtractOptions& options_;
  OcrEnginePool& pool_;
  const int n_;               // pages of the document
  const int first_, last_;    // the pages to read (ExtractOptions::first_page, last_page)
  const bool is_image_;
  std::vector<std::optional<PageText>> texts_;  // each slot written by one worker
  std::vector<PageInfo> infos_;
  const Clock::time_point start_;
  const std::optional<Clock::time_point> pages_not_after_;  // partial extraction only
  std::atomic<int> next_{first_};
  std::atomic<bool> failed_{false};
  std::mutex doc_mu_;
  std::mutex result_mu_;
  std::mutex progress_mu_;
  int pages_done_ = 0;  // guarded by progress_mu_
  std::optional<Error> error_;
  std::vector<Warning> warnings_;
};

}  // namespace

void SortWarnings(std::vector<Warning>* warnings) {
  std::stable_sort(warnings->begin(), warnings->end(),
                   [](const Warning& a, const Warning& b) { return a.page.value_or(0) < b.page.value_or(0); });
}

Result<PagesResult> ReadPages(Document& doc, const ExtractOptions& options) {
  if (options.first_page > doc.page_count() || (options.last_page > 0 && options.last_page < options.first_page)) {
    return Error::BadRequest("pages " + std::to_string(options.first_page) + " to " +
                             std::to_string(options.last_page) + " are not pages of this document of " +
                             std::to_string(doc.page_count()) + " pages");
  }
  const int pages = LastPage(options, doc.page_count()) - FirstPage(options, doc.page_count()) + 1;
  const int workers = WorkerCount(options, pages);
  std::unique_ptr<OcrEnginePool> own_pool;
  OcrEnginePool* pool = options.ocr_engines;
  if (pool == nullptr) {
    own_pool = CreateOcrEnginePool(workers);
    pool = own_pool.get();
  }
  const auto t0 = Clock::now();
  PageRunner runner(doc, options, *pool);
  auto result = runner.Run(workers);
  spdlog::debug("pages: {} page(s) with {} worker(s) in {} ms", pages, workers, MsSince(t0));
  return result;
}

}  // namespace pactum::extract
