#include "png.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>

namespace pactum::service {
namespace {

void PutU32(std::string* out, std::uint32_t v) {
  out->push_back(static_cast<char>((v >> 24) & 0xff));
  out->push_back(static_cast<char>((v >> 16) & 0xff));
  out->push_back(static_cast<char>((v >> 8) & 0xff));
  out->push_back(static_cast<char>(v & 0xff));
}

// A chunk: length, type, data, CRC-32 of type and data.
void PutChunk(std::string* out, const char (&type)[5], const std::string& data) {
  PutU32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t crc_from = out->size();
  out->append(type, 4);
  out->append(data);
  const auto* crc_bytes = reinterpret_cast<const Bytef*>(out->data() + crc_from);
  const uLong crc = crc32(crc32(0L, Z_NULL, 0), crc_bytes, static_cast<uInt>(out->size() - crc_from));
  PutU32(out, static_cast<std::uint32_t>(crc));
}

}  // namespace

std::string EncodeGrayPng(int width, int height, const std::vector<std::uint8_t>& gray, int dpi) {
  const auto w = static_cast<std::size_t>(width), h = static_cast<std::size_t>(height);
  // Each row: filter type 2 (Up: the byte minus the one above it).
  std::string raw;
  raw.reserve((w + 1) * h);
  for (std::size_t y = 0; y < h; ++y) {
    raw.push_back(2);
    const std::uint8_t* row = gray.data() + y * w;
    for (std::size_t x = 0; x < w; ++x) {
      const std::uint8_t above = y == 0 ? 0 : row[x - w];
      raw.push_back(static_cast<char>(static_cast<std::uint8_t>(row[x] - above)));
    }
  }
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size, reinterpret_cast<const Bytef*>(raw.data()),
                static_cast<uLong>(raw.size()), 6) != Z_OK) {
    throw std::runtime_error("zlib could not compress a page image");
  }
  packed.resize(packed_size);

  std::string out("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr;
  PutU32(&ihdr, static_cast<std::uint32_t>(width));
  PutU32(&ihdr, static_cast<std::uint32_t>(height));
  ihdr += std::string("\x08\x00\x00\x00\x00", 5);  // 8 bits, greyscale, deflate, adaptive filters, no interlace
  PutChunk(&out, "IHDR", ihdr);
  std::string phys;
  const auto per_metre = static_cast<std::uint32_t>(std::lround(dpi / 0.0254));
  PutU32(&phys, per_metre);
  PutU32(&phys, per_metre);
  phys.push_back(1);  // unit: metre
  PutChunk(&out, "pHYs", phys);
  PutChunk(&out, "IDAT", packed);
  PutChunk(&out, "IEND", "");
  return out;
}

std::vector<std::uint8_t> ShrinkGray(const std::vector<std::uint8_t>& gray, int width, int height, int new_width,
                                     int new_height) {
  const auto w = static_cast<std::size_t>(width), nw = static_cast<std::size_t>(new_width);
  const auto nh = static_cast<std::size_t>(new_height);
  std::vector<std::uint8_t> out(nw * nh);
  for (std::size_t ny = 0; ny < nh; ++ny) {
    const std::size_t y0 = ny * static_cast<std::size_t>(height) / nh;
    const std::size_t y1 = std::max(y0 + 1, (ny + 1) * static_cast<std::size_t>(height) / nh);
    for (std::size_t nx = 0; nx < nw; ++nx) {
      const std::size_t x0 = nx * w / nw;
      const std::size_t x1 = std::max(x0 + 1, (nx + 1) * w / nw);
      std::size_t sum = 0;
      for (std::size_t y = y0; y < y1; ++y) {
        for (std::size_t x = x0; x < x1; ++x) sum += gray[y * w + x];
      }
      out[ny * nw + nx] = static_cast<std::uint8_t>(sum / ((y1 - y0) * (x1 - x0)));
    }
  }
  return out;
}

}  // namespace pactum::service
