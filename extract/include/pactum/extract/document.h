// An opened document: page count, text layer per page, raster per page.
//
// Open() never throws for bad input: corrupt, truncated or encrypted files
// give ErrorCode::kUnprocessable, formats that are not PDF/PNG/JPEG/TIFF give
// kUnsupportedMediaType. A Document is used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "pactum/extract/options.h"
#include "pactum/extract/page_image.h"
#include "pactum/extract/page_text.h"
#include "pactum/extract/sniff.h"
#include "pactum/models/status.h"

namespace pactum::extract {

class Document {
 public:
  virtual ~Document() = default;

  // Opens `bytes` (which must outlive the Document) as `type`.
  static Result<std::unique_ptr<Document>> Open(std::string_view bytes, MediaType type, const Limits& limits);

  virtual MediaType media_type() const = 0;
  virtual int page_count() const = 0;
  // The page's own text (PDF text layer); empty word list for images.
  // REQUIRES: 1 <= page <= page_count()
  virtual Result<PageText> TextLayer(int page) = 0;
  // The page as a greyscale image at `dpi` (images: at their own resolution,
  // `dpi` ignored). REQUIRES: 1 <= page <= page_count()
  virtual Result<PageImage> Render(int page, int dpi) = 0;
  // The part `region` (points from the page's top-left corner, clipped to
  // the page) of the page rendered at `dpi`; the image's pixel (0, 0) is the
  // region's top-left corner. Documents that cannot fail with kInternal.
  // REQUIRES: 1 <= page <= page_count()
  virtual Result<PageImage> RenderRegion(int /*page*/, int /*dpi*/, const Box& /*region*/) {
    return Error::Internal("this document cannot render part of a page");
  }

  // Image documents: page `page`'s own image as PDF image data (searchable
  // PDF output). Others fail with kInternal. REQUIRES: 1 <= page <= page_count()
  virtual Result<EncodedImage> OriginalImage(int /*page*/) {
    return Error::Internal("only image documents have page images");
  }

  // At most how many separate marks the page puts on paper besides the
  // glyphs of fonts that its text layer reads and long thin rules: one for
  // each painted path's subpath, also inside form XObjects. Counting stops
  // at `enough` (the answer is then `enough` or more). None when unbounded
  // or unsure (images, shadings, dashes, Type 3 glyphs, annotation
  // appearances; the default). The page stage then knows whether a
  // rendering could show text the layer lacks without making one.
  // REQUIRES: 1 <= page <= page_count()
  virtual std::optional<int> MarksBesidesText(int /*page*/, int /*enough*/) { return std::nullopt; }

  // An independent Document over the same bytes, so that another thread can
  // read pages at the same time (a Document itself is single-threaded).
  // Fails when the implementation cannot; callers then share this one.
  virtual Result<std::unique_ptr<Document>> Reopen() const {
    return Error::Internal("this document cannot be reopened");
  }
};

// Implementations (one per file in extract/src).
Result<std::unique_ptr<Document>> OpenPdfDocument(std::string_view bytes, const Limits& limits);
Result<std::unique_ptr<Document>> OpenImageDocument(std::string_view bytes, MediaType type, const Limits& limits);

}  // namespace pactum::extract
