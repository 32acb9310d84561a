// Image documents: PNG, JPEG and TIFF (single- or multi-page; G4, LZW, ...)
// over Leptonica.
//
// Dimensions are read from the file headers when the document is opened
// (TIFF: every page) and checked against Limits::max_image_pixels before
// any pixel is decoded, so absurd or malicious headers cost nothing.
// Resolution comes from the file (TIFF resolution tags, PNG pHYs, JPEG JFIF
// density); where it is missing or implausible (outside 100..1200 dpi) 300
// dpi is assumed.
#include <leptonica/allheaders.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <string>
#include <vector>

#include "ocr/module.h"
#include "ocr/pix.h"
#include "pactum/extract/document.h"

namespace pactum::extract {
namespace {

constexpr int kDefaultDpi = 300;
constexpr int kMinPlausibleDpi = 100;
constexpr int kMaxPlausibleDpi = 1200;

int PlausibleDpi(int dpi) { return dpi >= kMinPlausibleDpi && dpi <= kMaxPlausibleDpi ? dpi : kDefaultDpi; }

struct PageHeader {
  int width = 0;
  int height = 0;
  int dpi_x = kDefaultDpi;
  int dpi_y = kDefaultDpi;
};

// A read-only FILE over `bytes` (Leptonica's header readers want a stream).
struct MemFile {
  explicit MemFile(std::string_view bytes)
      : fp(fmemopen(const_cast<char*>(bytes.data()), bytes.size(), "rb")) {}
  ~MemFile() {
    if (fp != nullptr) fclose(fp);
  }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  FILE* fp;
};

const l_uint8* Data(std::string_view bytes) { return reinterpret_cast<const l_uint8*>(bytes.data()); }

Error TooManyPixels(int page, int w, int h, const Limits& limits) {
  return Error::Unprocessable("page " + std::to_string(page) + " claims " + std::to_string(w) + "x" +
                              std::to_string(h) + " = " + std::to_string(static_cast<long long>(w) * h) +
                              " pixels, over the limit of " + std::to_string(limits.max_image_pixels) +
                              " pixels per image; scan at a lower resolution or split the image");
}

Result<bool> CheckDimensions(int page, int w, int h, const Limits& limits) {
  if (w <= 0 || h <= 0) {
    return Error::Unprocessable("page " + std::to_string(page) + " has no valid image dimensions; the file is corrupt");
  }
  if (static_cast<long long>(w) * h > limits.max_image_pixels) {
    return TooManyPixels(page, w, h, limits);
  }
  return true;
}

class ImageDocument final : public Document {
 public:
  ImageDocument(std::string_view bytes, MediaType type, std::vector<PageHeader> pages, const Limits& limits)
      : bytes_(bytes), type_(type), pages_(std::move(pages)), limits_(limits) {}

  MediaType media_type() const override { return type_; }
  int page_count() const override { return static_cast<int>(pages_.size()); }

  Result<PageText> TextLayer(int page) override {
    if (page < 1 || page > page_count()) return Error::BadRequest("no page " + std::to_string(page));
    const PageHeader& h = pages_[static_cast<size_t>(page - 1)];
    PageText out;
    out.page = page;
    out.width_pt = h.width * 72.0 / h.dpi_x;
    out.height_pt = h.height * 72.0 / h.dpi_y;
    out.source = TextSource::kOcr;
    return out;
  }

  Result<std::unique_ptr<Document>> Reopen() const override {
    return std::unique_ptr<Document>(new ImageDocument(bytes_, type_, pages_, limits_));
  }

  Result<PageImage> Render(int page, int /*dpi*/) override {
    auto decoded = Decode(page);
    if (!decoded.ok()) return decoded.error();
    PageImage out = ocr::PageImageFromPix(decoded->pix.get(), page, decoded->dpi_x, decoded->dpi_y);
    if (out.gray.empty()) {
      return Error::Unprocessable("page " + std::to_string(page) + " of the image cannot be converted to grey");
    }
    return out;
  }

  Result<EncodedImage> OriginalImage(int page) override {
    auto decoded = Decode(page);
    if (!decoded.ok()) return decoded.error();
    EncodedImage out;
    out.dpi_x = decoded->dpi_x;
    out.dpi_y = decoded->dpi_y;
    if (type_ == MediaType::kJpeg) {
      l_int32 w = 0, h = 0, spp = 0, ycck = 0, cmyk = 0;
      if (readHeaderMemJpeg(Data(bytes_), bytes_.size(), &w, &h, &spp, &ycck, &cmyk) == 0 && !cmyk && !ycck &&
          (spp == 1 || spp == 3)) {
        out.width = w;
        out.height = h;
        out.components = spp;
        out.dct = true;
        out.data.assign(bytes_);
        return out;
      }
    }
    if (!ocr::EncodeForPdf(decoded->pix.get(), &out)) {
      return Error::Unprocessable("page " + std::to_string(page) + " of the image cannot be re-encoded for a PDF");
    }
    return out;
  }

 private:
  struct Decoded {
    ocr::PixPtr pix;
    int dpi_x = kDefaultDpi;
    int dpi_y = kDefaultDpi;
  };

  // Page `page` decoded, with the resolution it is read at.
  Result<Decoded> Decode(int page) {
    if (page < 1 || page > page_count()) return Error::BadRequest("no page " + std::to_string(page));
    const PageHeader& h = pages_[static_cast<size_t>(page - 1)];
    Decoded out;
    ocr::PixPtr& pix = out.pix;
    if (type_ == MediaType::kTiff) {
      // Sequential reads continue from the last directory (no re-walk).
      if (page == next_tiff_page_ && (page == 1 || tiff_offset_ != 0)) {
        if (page == 1) tiff_offset_ = 0;
        pix.reset(pixReadMemFromMultipageTiff(Data(bytes_), bytes_.size(), &tiff_offset_));
        next_tiff_page_ = page + 1;
      } else {
        pix.reset(pixReadMemTiff(Data(bytes_), bytes_.size(), page - 1));
        next_tiff_page_ = 0;
      }
    } else {
      pix.reset(pixReadMem(Data(bytes_), bytes_.size()));
    }
    if (!pix) {
      return Error::Unprocessable("page " + std::to_string(page) + " of the image cannot be decoded; the file is corrupt");
    }
    const int w = pixGetWidth(pix.get()), ht = pixGetHeight(pix.get());
    if (w != h.width || ht != h.height) {
      auto ok = CheckDimensions(page, w, ht, limits_);
      if (!ok.ok()) return ok.error();
    }
    // Honour the decoded resolution where the header reader had none.
    out.dpi_x = h.dpi_x;
    out.dpi_y = h.dpi_y;
    if (pixGetXRes(pix.get()) > 0 && pixGetYRes(pix.get()) > 0) {
      out.dpi_x = PlausibleDpi(pixGetXRes(pix.get()));
      out.dpi_y = PlausibleDpi(pixGetYRes(pix.get()));
    }
    return out;
  }

  std::string_view bytes_;
  MediaType type_;
  std::vector<PageHeader> pages_;
  Limits limits_;
  int next_tiff_page_ = 1;
  size_t tiff_offset_ = 0;
};

Result<std::vector<PageHeader>> ReadTiffHeaders(std::string_view bytes, const Limits& limits) {
  l_int32 n = 0;
  {
    MemFile f(bytes);
    if (f.fp == nullptr || tiffGetCount(f.fp, &n) != 0 || n <= 0) {
      return Error::Unprocessable("the TIFF file is corrupt or has no pages");
    }
  }
  if (n > limits.max_pages) {
    return Error::Unprocessable("the TIFF has " + std::to_string(n) + " pages, more than the limit of " +
                                std::to_string(limits.max_pages));
  }
  std::vector<PageHeader> pages;
  for (int i = 0; i < n; ++i) {
    l_int32 w = 0, h = 0, bps = 0, spp = 0, res = 0, cmap = 0, format = 0;
    if (readHeaderMemTiff(Data(bytes), bytes.size(), i, &w, &h, &bps, &spp, &res, &cmap, &format) != 0) {
      return Error::Unprocessable("page " + std::to_string(i + 1) + " of the TIFF cannot be read; the file is corrupt");
    }
    auto ok = CheckDimensions(i + 1, w, h, limits);
    if (!ok.ok()) return ok.error();
    PageHeader p;
    p.width = w;
    p.height = h;
    p.dpi_x = p.dpi_y = PlausibleDpi(res);
    pages.push_back(p);
  }
  return pages;
}

Result<std::vector<PageHeader>> ReadSingleHeader(std::string_view bytes, MediaType type, const Limits& limits) {
  l_int32 format = 0, w = 0, h = 0, bps = 0, spp = 0, cmap = 0;
  if (pixReadHeaderMem(Data(bytes), bytes.size(), &format, &w, &h, &bps, &spp, &cmap) != 0) {
    return Error::Unprocessable("the image header cannot be read; the file is corrupt or truncated");
  }
  auto ok = CheckDimensions(1, w, h, limits);
  if (!ok.ok()) return ok.error();
  PageHeader p;
  p.width = w;
  p.height = h;
  l_int32 xres = 0, yres = 0;
  MemFile f(bytes);
  if (f.fp != nullptr) {
    const l_int32 rc = type == MediaType::kPng ? fgetPngResolution(f.fp, &xres, &yres)
                                               : fgetJpegResolution(f.fp, &xres, &yres);
    if (rc != 0) xres = yres = 0;
  }
  p.dpi_x = PlausibleDpi(xres);
  p.dpi_y = PlausibleDpi(yres > 0 ? yres : xres);
  return std::vector<PageHeader>{p};
}

}  // namespace

Result<std::unique_ptr<Document>> ocr::OpenImage(std::string_view bytes, MediaType type, const Limits& limits) {
  ocr::InstallLeptonicaLogging();
  if (bytes.empty()) return Error::Unprocessable("the image is empty");
  auto pages = type == MediaType::kTiff ? ReadTiffHeaders(bytes, limits) : ReadSingleHeader(bytes, type, limits);
  if (!pages.ok()) return pages.error();
  spdlog::debug("image document: {} page(s), first {}x{} px at {} dpi", pages->size(), pages->front().width,
                pages->front().height, pages->front().dpi_x);
  return std::unique_ptr<Document>(new ImageDocument(bytes, type, std::move(*pages), limits));
}

}  // namespace pactum::extract
