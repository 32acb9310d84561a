#include "ocr/pix.h"

#include <spdlog/spdlog.h>

#include <cstring>
#include <mutex>
#include <string>

namespace pactum::extract::ocr {

PixPtr PixFromPageImage(const PageImage& image, bool as_binary) {
  if (image.width <= 0 || image.height <= 0 ||
      image.gray.size() != static_cast<size_t>(image.width) * static_cast<size_t>(image.height)) {
    return nullptr;
  }
  PixPtr pix(pixCreate(image.width, image.height, as_binary ? 1 : 8));
  if (!pix) return nullptr;
  pixSetResolution(pix.get(), image.dpi_x, image.dpi_y);
  l_uint32* data = pixGetData(pix.get());
  const l_int32 wpl = pixGetWpl(pix.get());
  for (int y = 0; y < image.height; ++y) {
    l_uint32* line = data + static_cast<size_t>(y) * static_cast<size_t>(wpl);
    const std::uint8_t* src = image.gray.data() + static_cast<size_t>(y) * static_cast<size_t>(image.width);
    if (as_binary) {
      for (int x = 0; x < image.width; ++x) {
        if (src[x] < 128) SET_DATA_BIT(line, x);
      }
    } else {
      for (int x = 0; x < image.width; ++x) SET_DATA_BYTE(line, x, src[x]);
    }
  }
  return pix;
}

bool EncodeForPdf(PIX* pix, EncodedImage* out) {
  if (pix == nullptr) return false;
  PixPtr plain;
  if (pixGetColormap(pix) != nullptr) {
    plain.reset(pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC));
  } else if (pixGetDepth(pix) == 32 && pixGetSpp(pix) == 4) {
    plain.reset(pixAlphaBlendUniform(pix, 0xffffff00));
  } else {
    plain.reset(pixClone(pix));
  }
  if (!plain) return false;
  const int depth = pixGetDepth(plain.get());
  PixPtr conv;
  if (depth == 1 || depth == 8) {
    conv = std::move(plain);
  } else if (depth == 32 || depth == 24) {
    conv.reset(pixConvertTo32(plain.get()));
  } else {
    conv.reset(pixConvertTo8(plain.get(), 0));
  }
  if (!conv) return false;
  const int w = pixGetWidth(conv.get()), h = pixGetHeight(conv.get()), d = pixGetDepth(conv.get());
  out->width = w;
  out->height = h;
  out->bits = d == 1 ? 1 : 8;
  out->components = d == 32 ? 3 : 1;
  out->dct = false;
  const size_t row = d == 1 ? (static_cast<size_t>(w) + 7) / 8 : static_cast<size_t>(w) * static_cast<size_t>(out->components);
  std::string raw(row * static_cast<size_t>(h), '\0');
  const l_uint32* data = pixGetData(conv.get());
  const l_int32 wpl = pixGetWpl(conv.get());
  for (int y = 0; y < h; ++y) {
    const l_uint32* line = data + static_cast<size_t>(y) * static_cast<size_t>(wpl);
    char* dst = raw.data() + static_cast<size_t>(y) * row;
    if (d == 1) {
      // Leptonica's 1 is black; a PDF DeviceGray sample of 0 is.
      for (int x = 0; x < w; ++x) {
        if (GET_DATA_BIT(line, x) == 0) dst[x / 8] = static_cast<char>(dst[x / 8] | (0x80 >> (x % 8)));
      }
    } else if (d == 8) {
      for (int x = 0; x < w; ++x) dst[x] = static_cast<char>(GET_DATA_BYTE(line, x));
    } else {
      for (int x = 0; x < w; ++x) {
        l_int32 r = 0, g = 0, b = 0;
        extractRGBValues(line[x], &r, &g, &b);
        dst[3 * x] = static_cast<char>(r);
        dst[3 * x + 1] = static_cast<char>(g);
        dst[3 * x + 2] = static_cast<char>(b);
      }
    }
  }
  size_t n = 0;
  l_uint8* z = zlibCompress(reinterpret_cast<const l_uint8*>(raw.data()), raw.size(), &n);
  if (z == nullptr) return false;
  out->data.assign(reinterpret_cast<const char*>(z), n);
  lept_free(z);
  return true;
}

PageImage PageImageFromPix(PIX* pix, int page, int dpi_x, int dpi_y) {
  PageImage out;
  out.page = page;
  out.dpi_x = dpi_x;
  out.dpi_y = dpi_y;
  if (pix == nullptr) return out;
  PixPtr converted;
  PIX* src = pix;
  const bool binary = pixGetDepth(pix) == 1 && pixGetColormap(pix) == nullptr;
  if (!binary && (pixGetDepth(pix) != 8 || pixGetColormap(pix) != nullptr)) {
    converted.reset(pixConvertTo8(pix, 0));
    if (!converted) return out;
    src = converted.get();
  }
  out.width = pixGetWidth(src);
  out.height = pixGetHeight(src);
  out.bilevel = binary;
  out.gray.resize(static_cast<size_t>(out.width) * static_cast<size_t>(out.height));
  const l_uint32* data = pixGetData(src);
  const l_int32 wpl = pixGetWpl(src);
  for (int y = 0; y < out.height; ++y) {
    const l_uint32* line = data + static_cast<size_t>(y) * static_cast<size_t>(wpl);
    std::uint8_t* dst = out.gray.data() + static_cast<size_t>(y) * static_cast<size_t>(out.width);
    if (binary) {
      for (int x = 0; x < out.width; ++x) dst[x] = GET_DATA_BIT(line, x) ? 0 : 255;
    } else {
      for (int x = 0; x < out.width; ++x) dst[x] = static_cast<std::uint8_t>(GET_DATA_BYTE(line, x));
    }
  }
  return out;
}

namespace {

void LeptonicaMessage(const char* msg) {
  std::string m(msg != nullptr ? msg : "");
  while (!m.empty() && (m.back() == '\n' || m.back() == '\r')) m.pop_back();
  spdlog::debug("leptonica: {}", m);
}

}  // namespace

void InstallLeptonicaLogging() {
  static std::once_flag once;
  std::call_once(once, [] { leptSetStderrHandler(&LeptonicaMessage); });
}

}  // namespace pactum::extract::ocr
