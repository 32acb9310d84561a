#include "upload.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <optional>

namespace pactum::service {
namespace {

// The body's declared length; nullopt when there is no Content-Length header
// or it is not a plain decimal number.
std::optional<std::size_t> DeclaredLength(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return std::nullopt;
  const std::string v = req.get_header_value("Content-Length");
  if (v.empty() || v.size() > 19 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(std::stoull(v));
}

bool IsChunked(const httplib::Request& req) {
  std::string te = req.get_header_value("Transfer-Encoding");
  std::transform(te.begin(), te.end(), te.begin(), [](unsigned char c) { return std::tolower(c); });
  return te.find("chunked") != std::string::npos;
}

std::string HumanBytes(std::size_t n) {
  if (n >= (std::size_t{1} << 20) && n % (std::size_t{1} << 20) == 0) return std::to_string(n >> 20) + " MiB";
  return std::to_string(n) + " bytes";
}

}  // namespace

Error DocumentTooLarge(const UploadLimits& limits) {
  return Error::TooLarge("the document is larger than the upload limit of " + HumanBytes(limits.max_document_bytes) +
                         "; send a smaller file");
}

std::string RequestContentEncoding(const httplib::Request& req) {
  std::string enc = req.get_header_value("Content-Encoding");
  std::transform(enc.begin(), enc.end(), enc.begin(), [](unsigned char c) { return std::tolower(c); });
  const auto b = enc.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  enc = enc.substr(b, enc.find_last_not_of(" \t") - b + 1);
  return enc == "identity" ? "" : enc;
}

Result<std::string> ReadDocument(const httplib::Request& req, const httplib::ContentReader& reader,
                                 const UploadLimits& limits, BodyReadInfo* info) {
  *info = {};
  const std::string encoding = RequestContentEncoding(req);
  if (!encoding.empty()) {
    return Error::Unsupported("Content-Encoding '" + encoding.substr(0, 32) +
                              "' is not accepted; send the document's bytes uncompressed");
  }
  const std::size_t cap = limits.max_document_bytes;
  const std::size_t body_cap = cap > std::numeric_limits<std::size_t>::max() - kBodySlackBytes
                                   ? std::numeric_limits<std::size_t>::max()
                                   : cap + kBodySlackBytes;
  const std::optional<std::size_t> declared = DeclaredLength(req);
  const bool chunked = IsChunked(req);
  if (!chunked) {
    if (!declared && req.has_header("Content-Length")) {
      return Error::BadRequest("the Content-Length header is not a number");
    }
    if (!declared) {
      // HTTP/1.1: without Content-Length or chunked encoding there is no body.
      info->complete = true;
      return std::string();
    }
    if (*declared > body_cap) {
      // Known to be too large before a byte is read: answer at once.
      return DocumentTooLarge(limits);
    }
  }

  std::string document;
  // Reserve for what is declared, but never much before the bytes arrive: a
  // client that sends only headers must not make us hold 64 MiB.
  constexpr std::size_t kMaxEarlyReserve = std::size_t{1} << 20;
  if (declared && !req.is_multipart_form_data()) document.reserve(std::min({*declared, cap, kMaxEarlyReserve}));
  bool over_cap = false;   // the document passed `cap`; further bytes are dropped
  bool body_over = false;  // the whole body passed `body_cap`; reading stopped

  // Counts `n` more body bytes; false stops the reading.
  auto count = [&](std::size_t n) {
    info->bytes_read += n;
    if (info->bytes_read > body_cap) {
      body_over = true;
      return false;
    }
    return true;
  };
  // Appends document bytes up to the cap and drops the rest.
  auto keep = [&](const char* data, std::size_t n) {
    if (over_cap) return;
    if (document.size() + n > cap) {
      over_cap = true;
      std::string().swap(document);
      return;
    }
    document.append(data, n);
  };

  bool ok = false;
  if (req.is_multipart_form_data()) {
    int file_parts = 0;
    bool in_file = false;
    ok = reader(
        [&](const httplib::MultipartFormData& part) {
          in_file = part.name == "file";
          if (in_file) {
            ++file_parts;
            info->file_name = part.filename;
          }
          return file_parts <= 1;  // a second "file" part ends the reading (400 below)
        },
        [&](const char* data, std::size_t n) {
          if (!count(n)) return false;
          if (in_file) keep(data, n);
          return true;
        });
    info->complete = ok;
    if (body_over || over_cap) return DocumentTooLarge(limits);
    if (file_parts > 1) {
      return Error::BadRequest("the multipart body has more than one part named \"file\"; send one document per request");
    }
    if (!ok) {
      return Error::BadRequest("the multipart/form-data body is malformed (boundary, part headers) or was cut short");
    }
    if (file_parts == 0) {
      return Error::BadRequest(
          "the multipart/form-data body has no part named \"file\"; put the document in a part named file "
          "(curl -F file=@agreement.pdf) or send it as the raw body");
    }
  } else {
    ok = reader([&](const char* data, std::size_t n) {
      if (!count(n)) return false;
      keep(data, n);
      return true;
    });
    info->complete = ok;
    if (body_over || over_cap) return DocumentTooLarge(limits);
    if (!ok) return Error::BadRequest("the request body is malformed (chunked encoding) or was cut short");
  }
  return document;
}

void DiscardBody(const httplib::Request& req, const httplib::ContentReader& reader, BodyReadInfo* info) {
  *info = {};
  if (!IsChunked(req) && req.has_header("Content-Length") && !DeclaredLength(req)) return;  // cannot delimit it
  const bool has_body = IsChunked(req) || DeclaredLength(req).value_or(0) > 0;
  if (!has_body) {
    info->complete = true;
    return;
  }
  if (!RequestContentEncoding(req).empty()) return;
  const std::optional<std::size_t> declared = DeclaredLength(req);
  if (declared && *declared > kBodySlackBytes && !IsChunked(req)) return;
  auto drop = [info](const char*, std::size_t n) {
    info->bytes_read += n;
    return info->bytes_read <= kBodySlackBytes;
  };
  if (req.is_multipart_form_data()) {
    info->complete = reader([](const httplib::MultipartFormData&) { return true; }, drop);
  } else {
    info->complete = reader(drop);
  }
}

}  // namespace pactum::service
