// OcrEngine over Tesseract's C++ API (LSTM), with Tesseract's orientation
// detection (OSD, legacy engine, osd.traineddata) for DetectOrientation.
//
// One engine is one TessBaseAPI, initialised once and reused for many pages.
// It is not thread-safe: the pool hands each engine to one thread at a time.
#include <spdlog/spdlog.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ocr/module.h"
#include "ocr/numeric_repair.h"
#include "ocr/pix.h"
#include "pactum/extract/ocr_engine.h"

namespace pactum::extract {
namespace {

// Below this OSD confidence the page is left as it is (Tesseract's own
// command line prints the value; 2.0 separates noise from real evidence).
constexpr float kMinOrientationConfidence = 2.0f;
// A word made only of punctuation below this confidence is scanner noise.
constexpr double kMinPunctuationConfidence = 0.5;
// Handwriting (signatures, initials) comes out as tall words of low
// confidence: below this confidence and taller than this many median word
// heights, a word is dropped.
constexpr double kScribbleConfidence = 0.6;
constexpr double kScribbleHeight = 1.8;
// Confidence of a word after a digit repair is at most this share of the
// engine's.
constexpr double kRepairedConfidenceFactor = 0.8;

bool ValidLanguages(const std::string& langs) {
  if (langs.empty() || langs.size() > 64) return false;
  for (char c : langs) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '+') return false;
  }
  return langs.front() != '+' && langs.back() != '+' && langs.find("++") == std::string::npos;
}

// True when `s` holds a letter, a digit or a sign such as § or €; false for
// words of ASCII punctuation, typographic quotes and dashes only.
bool HasContent(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (std::isalnum(c)) return true;
      ++i;
      continue;
    }
    const size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    const std::string_view cp = std::string_view(s).substr(i, n);
    // U+2018..U+201F quotes, U+2010..U+2015 dashes.
    const bool punct = cp.size() == 3 && cp[0] == '\xE2' && cp[1] == '\x80' &&
                       static_cast<unsigned char>(cp[2]) >= 0x90 && static_cast<unsigned char>(cp[2]) <= 0x9F;
    if (!punct) return true;
    i += n;
  }
  return false;
}

// The OpenMP runtime reads OMP_THREAD_LIMIT when it is loaded, before any of
// our code runs, so setting it at run time only helps child processes. What
// works at run time: allow no active parallel region (max-active-levels 0),
// which makes Tesseract's `omp parallel` loops run on the calling thread. The
// setting belongs to the calling thread, so every thread that runs an engine
// makes it once. Looked up dynamically: present only when Tesseract was built
// with OpenMP.
void LimitOpenMpOnThisThread() {
  using SetLevels = void (*)(int);
  static const SetLevels set_levels =
      reinterpret_cast<SetLevels>(dlsym(RTLD_DEFAULT, "omp_set_max_active_levels"));
  thread_local bool done = false;
  if (done || set_levels == nullptr) return;
  set_levels(0);
  done = true;
}

void DropScribbles(PageText* page) {
  if (page->words.size() < 3) return;
  std::vector<double> heights;
  for (const Word& w : page->words) heights.push_back(w.box.height());
  std::nth_element(heights.begin(), heights.begin() + static_cast<long>(heights.size() / 2), heights.end());
  const double median = heights[heights.size() / 2];
  std::erase_if(page->words, [&](const Word& w) {
    return w.confidence < kScribbleConfidence && w.box.height() > kScribbleHeight * median;
  });
}

// Tesseract keeps some parameters process-wide (debug_file among them), and
// Init and SetVariable write them: engines of parallel page threads are
// set up one at a time.
std::mutex& InitMutex() {
  static std::mutex mu;
  return mu;
}

class TesseractEngine final : public OcrEngine {
 public:
  explicit TesseractEngine(std::string languages) : languages_(std::move(languages)) {}
  ~TesseractEngine() override {
    api_.End();
    if (osd_) osd_->End();
  }
  TesseractEngine(const TesseractEngine&) = delete;
  TesseractEngine& operator=(const TesseractEngine&) = delete;

  Result<bool> Init() {
    const std::lock_guard<std::mutex> lock(InitMutex());
    if (api_.Init(nullptr, languages_.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
      return Error::BadRequest("OCR language(s) '" + languages_ +
                               "' are not installed; use installed Tesseract languages such as deu+eng");
    }
    api_.SetPageSegMode(tesseract::PSM_AUTO);
    // Pages arrive binarised with dark text on white: the inverted retry
    // of low-confidence lines only costs time.
    api_.SetVariable("tessedit_do_invert", "0");
    // Progress notes ("Detected N diacritics") would go to stderr.
    api_.SetVariable("debug_file", "/dev/null");
    return true;
  }

  const std::string& languages() const override { return languages_; }

  int DetectOrientation(const PageImage& image) override {
    if (!osd_ready_) {
      osd_ready_ = true;
      const std::lock_guard<std::mutex> lock(InitMutex());
      osd_ = std::make_unique<tesseract::TessBaseAPI>();
      if (osd_->Init(nullptr, "osd", tesseract::OEM_TESSERACT_ONLY) != 0) {
        spdlog::warn("orientation detection unavailable (osd.traineddata missing); pages are not turned");
        osd_->End();
        osd_.reset();
      } else {
        osd_->SetPageSegMode(tesseract::PSM_OSD_ONLY);
        // "Too few characters" and similar notes would go to stderr.
        osd_->SetVariable("debug_file", "/dev/null");
      }
    }
    if (!osd_) return 0;
    LimitOpenMpOnThisThread();
    ocr::PixPtr pix = ocr::PixFromPageImage(image, image.bilevel);
    if (!pix) return 0;
    osd_->SetImage(pix.get());
    osd_->SetSourceResolution(image.dpi_x);
    int deg = 0;
    float conf = 0;
    const bool ok = osd_->DetectOrientationScript(&deg, &conf, nullptr, nullptr);
    osd_->Clear();
    if (!ok) return 0;
    spdlog::debug("page {}: orientation {} deg, confidence {:.1f}", image.page, deg, conf);
    if (conf < kMinOrientationConfidence) return 0;
    // `deg` is how far the image is turned clockwise; undo it.
    return (360 - deg) % 360;
  }

  void SetDeadline(std::optional<std::chrono::steady_clock::time_point> not_after) override { not_after_ = not_after; }
  void SetCancel(const std::atomic<bool>* cancel) override { cancel_ = cancel; }

  Result<PageText> Recognize(const PageImage& image) override {
    LimitOpenMpOnThisThread();
    ocr::PixPtr pix = ocr::PixFromPageImage(image, image.bilevel);
    if (!pix) return Error::Unprocessable("page " + std::to_string(image.page) + " image is empty or too large");
    api_.SetImage(pix.get());
    api_.SetSourceResolution(image.dpi_x);
    // Tesseract checks the monitor's end time between words and stops there.
    tesseract::ETEXT_DESC monitor;
    if (not_after_) monitor.end_time = *not_after_;
    // Tesseract asks between words whether to go on.
    if (cancel_ != nullptr) {
      monitor.cancel = [](void* flag, int /*words*/) { return static_cast<const std::atomic<bool>*>(flag)->load(); };
      monitor.cancel_this = const_cast<std::atomic<bool>*>(cancel_);
    }
    const int rc = api_.Recognize(&monitor);
    if (cancel_ != nullptr && cancel_->load()) {
      api_.Clear();
      return Error::Cancelled();
    }
    if (not_after_ && monitor.deadline_exceeded()) {
      api_.Clear();
      return Error::Timeout("OCR of a page went past the document's time limit");
    }
    if (rc != 0) {
      api_.Clear();
      return Error::Unprocessable("OCR failed on page " + std::to_string(image.page));
    }
    PageText out;
    out.page = image.page;
    out.source = TextSource::kOcr;
    out.width_pt = image.width * image.PointsPerPixelX();
    out.height_pt = image.height * image.PointsPerPixelY();
    std::unique_ptr<tesseract::ResultIterator> it(api_.GetIterator());
    if (it) {
      do {
        std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_WORD));
        if (!text) continue;
        int l = 0, t = 0, r = 0, b = 0;
        if (!it->BoundingBox(tesseract::RIL_WORD, &l, &t, &r, &b)) continue;
        Word w;
        w.text = NormalizeWordText(text.get());
        if (w.text.empty()) continue;
        w.confidence = std::clamp(static_cast<double>(it->Confidence(tesseract::RIL_WORD)) / 100.0, 0.0, 1.0);
        if (!HasContent(w.text) && w.confidence < kMinPunctuationConfidence) continue;
        if (ocr::RepairNumericWord(&w.text) || ocr::RepairUmlautWord(&w.text)) w.confidence *= kRepairedConfidenceFactor;
        w.box = {l * image.PointsPerPixelX(), t * image.PointsPerPixelY(), r * image.PointsPerPixelX(),
                 b * image.PointsPerPixelY()};
        out.words.push_back(std::move(w));
      } while (it->Next(tesseract::RIL_WORD));
    }
    it.reset();
    api_.Clear();
    DropScribbles(&out);
    return out;
  }

 private:
  std::string languages_;
  std::optional<std::chrono::steady_clock::time_point> not_after_;
  const std::atomic<bool>* cancel_ = nullptr;
  tesseract::TessBaseAPI api_;
  bool osd_ready_ = false;
  std::unique_ptr<tesseract::TessBaseAPI> osd_;
};

}  // namespace

Result<std::unique_ptr<OcrEngine>> ocr::CreateTesseract(const std::string& languages) {
  // Tesseract's OpenMP threads would compete with our one-engine-per-thread
  // parallelism; must be set before the first engine starts (keeps a value
  // the operator set).
  setenv("OMP_THREAD_LIMIT", "1", 0);
  if (!ValidLanguages(languages)) {
    return Error::BadRequest("invalid OCR language list '" + languages + "'; use e.g. deu+eng");
  }
  auto engine = std::make_unique<TesseractEngine>(languages);
  auto ok = engine->Init();
  if (!ok.ok()) return ok.error();
  return std::unique_ptr<OcrEngine>(std::move(engine));
}

}  // namespace pactum::extract
