#include "pdf_guard.h"

#include <qpdf/Pipeline.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <memory>
#include <string>

namespace pactum::service {
namespace {

// Counts decoded bytes and stops the decoding once they pass the limit.
class CountingSink final : public Pipeline {
 public:
  explicit CountingSink(std::uint64_t limit) : Pipeline("pactum-count", nullptr), limit_(limit) {}
  void write(unsigned char const*, size_t len) override {
    count_ += len;
    if (count_ > limit_) {
      over_ = true;
      throw std::length_error("decoded stream over the limit");
    }
  }
  void finish() override {}
  bool over() const { return over_; }
  std::uint64_t count() const { return count_; }

 private:
  std::uint64_t limit_;
  std::uint64_t count_ = 0;
  bool over_ = false;
};

std::string ObjectName(QPDFObjectHandle& h) {
  return "object " + std::to_string(h.getObjectID()) + " " + std::to_string(h.getGeneration());
}

long long IntOr(QPDFObjectHandle dict, const char* key, long long fallback) {
  QPDFObjectHandle v = dict.getKey(key);
  return v.isInteger() ? v.getIntValue() : fallback;
}

}  // namespace

std::optional<Error> CheckPdfStreams(std::string_view pdf, const PdfGuardLimits& limits, Deadline deadline) {
  std::unique_ptr<QPDF> doc;
  std::vector<QPDFObjectHandle> objects;
  try {
    doc = std::make_unique<QPDF>();
    doc->setSuppressWarnings(true);
    doc->setAttemptRecovery(true);
    doc->processMemoryFile("document", pdf.data(), pdf.size());
    objects = doc->getAllObjects();
  } catch (const std::exception&) {
    return std::nullopt;  // not for qpdf to judge; the extraction will
  }
  for (QPDFObjectHandle& object : objects) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return Error::Timeout("checking the document's streams took longer than the time limit per document");
    }
    try {
      if (!object.isStream()) continue;
      QPDFObjectHandle dict = object.getDict();
      if (dict.getKey("/Subtype").isNameAndEquals("/Image")) {
        const long long w = IntOr(dict, "/Width", 0), h = IntOr(dict, "/Height", 0);
        if (w > 0 && h > 0 && (w > limits.max_image_pixels / h)) {
          return Error::Unprocessable("the image in " + ObjectName(object) + " declares " + std::to_string(w) + "x" +
                                      std::to_string(h) + " pixels, over the limit of " +
                                      std::to_string(limits.max_image_pixels) + " pixels per image");
        }
      }
      if (!dict.hasKey("/Filter")) continue;  // stored as is: bounded by the upload size
      CountingSink sink(limits.max_stream_bytes);
      bool filtered = false;
      try {
        object.pipeStreamData(&sink, &filtered, 0, qpdf_dl_generalized, true, false);
      } catch (const std::exception&) {
        // qpdf reports decoding errors through warnings and the return
        // value; our own stop may surface here.
      }
      if (sink.over()) {
        return Error::Unprocessable("the stream of " + ObjectName(object) + " decompresses to more than " +
                                    std::to_string(limits.max_stream_bytes) +
                                    " bytes, the limit per stream (a decompression bomb?)");
      }
    } catch (const std::exception&) {
      // A damaged object: the parser will skip or refuse it.
    }
  }
  return std::nullopt;
}

}  // namespace pactum::service
