// Conversions and small helpers shared by the OpenSSL side of signing.

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "crypto.h"
#include "openssl_util.h"

#include <fstream>
#include <sstream>

namespace pactum::signing {

std::string FormatRfc3339(SysSeconds t) {
  using namespace std::chrono;
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{t - day};
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

namespace internal {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return false;
  *out = std::move(ss).str();
  return true;
}

std::string DrainOpenSslErrors() {
  std::string out;
  unsigned long code;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

std::optional<SysSeconds> Asn1TimeToSys(const ASN1_TIME* t) {
  if (t == nullptr) return std::nullopt;
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year{tm.tm_year + 1900}, month{static_cast<unsigned>(tm.tm_mon + 1)},
                           day{static_cast<unsigned>(tm.tm_mday)}};
  if (!ymd.ok()) return std::nullopt;
  return SysSeconds{sys_days{ymd}} + hours{tm.tm_hour} + minutes{tm.tm_min} + seconds{tm.tm_sec};
}

std::string NameToString(const X509_NAME* name) {
  if (name == nullptr) return "";
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return "";
  // RFC 2253 order and escaping, but UTF-8 left readable.
  const unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
  if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) {
    ERR_clear_error();
    return "";
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return "";
  return std::string(data, static_cast<size_t>(len));
}

namespace {

std::string SerialHex(const ASN1_INTEGER* serial) {
  if (serial == nullptr) return "";
  BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return "";
  char* hex = BN_bn2hex(bn.get());
  if (hex == nullptr) return "";
  std::string out(hex);
  OPENSSL_free(hex);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // BN_bn2hex pads to whole bytes; "0a" reads better than "a" for serials, keep it.
  return out;
}

std::string CommonName(const X509_NAME* name) {
  if (name == nullptr) return "";
  const int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return "";
  const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, idx);
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(entry);
  if (value == nullptr) return "";
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, value);
  if (len < 0 || utf8 == nullptr) {
    ERR_clear_error();
    return "";
  }
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

std::string TimeString(const ASN1_TIME* t) {
  const std::optional<SysSeconds> s = Asn1TimeToSys(t);
  return s ? FormatRfc3339(*s) : "";
}

}  // namespace

CertificateInfo InfoOf(X509* cert) {
  CertificateInfo info;
  info.subject = NameToString(X509_get_subject_name(cert));
  info.issuer = NameToString(X509_get_issuer_name(cert));
  info.serial = SerialHex(X509_get0_serialNumber(cert));
  info.not_before = TimeString(X509_get0_notBefore(cert));
  info.not_after = TimeString(X509_get0_notAfter(cert));
  info.common_name = CommonName(X509_get_subject_name(cert));
  return info;
}

BioPtr MemoryBio(std::string_view data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  // BIO_new_mem_buf wants a non-null pointer even for empty data.
  static const char kEmpty = 0;
  const void* p = data.empty() ? &kEmpty : data.data();
  return BioPtr(BIO_new_mem_buf(p, static_cast<int>(data.size())));
}

std::string CertDer(X509* cert) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  if (len <= 0 || der == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

namespace {

// Runs a d2i function over exactly `der`; null unless all bytes are consumed.
template <typename T, typename D2i, typename Free>
T* ParseExactly(std::string_view der, D2i d2i, Free free_fn) {
  if (der.empty() || der.size() > static_cast<size_t>(LONG_MAX)) return nullptr;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* const end = p + der.size();
  T* obj = d2i(nullptr, &p, static_cast<long>(der.size()));
  if (obj == nullptr) {
    ERR_clear_error();
    return nullptr;
  }
  if (p != end) {
    free_fn(obj);
    return nullptr;
  }
  return obj;
}

}  // namespace

X509Ptr ParseCert(std::string_view der) { return X509Ptr(ParseExactly<X509>(der, d2i_X509, X509_free)); }

X509CrlPtr ParseCrl(std::string_view der) {
  return X509CrlPtr(ParseExactly<X509_CRL>(der, d2i_X509_CRL, X509_CRL_free));
}

OcspResponsePtr ParseOcspResponse(std::string_view der) {
  return OcspResponsePtr(ParseExactly<OCSP_RESPONSE>(der, d2i_OCSP_RESPONSE, OCSP_RESPONSE_free));
}

bool ReadTlv(std::string_view* in, unsigned char* tag, std::string_view* content, std::string_view* whole) {
  const std::string_view s = *in;
  if (s.size() < 2) return false;
  const unsigned char t = static_cast<unsigned char>(s[0]);
  if ((t & 0x1f) == 0x1f) return false;  // multi-byte tags: not used here
  size_t pos = 1;
  const unsigned char first = static_cast<unsigned char>(s[pos++]);
  size_t len = 0;
  if (first < 0x80) {
    len = first;
  } else {
    const size_t n = first & 0x7f;
    if (n == 0 || n > 4) return false;  // indefinite or absurd lengths
    if (s.size() - pos < n) return false;
    for (size_t i = 0; i < n; ++i) len = (len << 8) | static_cast<unsigned char>(s[pos++]);
  }
  if (s.size() - pos < len) return false;
  *tag = t;
  *content = s.substr(pos, len);
  if (whole != nullptr) *whole = s.substr(0, pos + len);
  in->remove_prefix(pos + len);
  return true;
}

std::string DigestParts(const EVP_MD* md, const std::vector<std::string_view>& parts) {
  if (md == nullptr) return "";
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) return "";
  for (std::string_view part : parts) {
    if (!part.empty() && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) return "";
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), out, &len) != 1) return "";
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string DigestName(int nid) {
  switch (nid) {
    case NID_sha1:
      return "sha1";
    case NID_sha256:
      return "sha256";
    case NID_sha384:
      return "sha384";
    case NID_sha512:
      return "sha512";
    default:
      return "";
  }
}

std::string SignedAttributesDer(CMS_SignerInfo* si) {
  const int count = CMS_signed_get_attr_count(si);
  if (count <= 0) return "";
  std::vector<std::string> elements;
  elements.reserve(static_cast<size_t>(count));
  size_t total = 0;
  for (int i = 0; i < count; ++i) {
    unsigned char* der = nullptr;
    const int len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &der);
    if (len <= 0 || der == nullptr) return "";
    elements.emplace_back(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
    total += static_cast<size_t>(len);
  }
  // DER SET OF order, compared the way OpenSSL's encoder does (bytes, then length).
  std::sort(elements.begin(), elements.end(), [](const std::string& a, const std::string& b) {
    const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
    return c != 0 ? c < 0 : a.size() < b.size();
  });
  std::string out(1, '\x31');
  if (total < 0x80) {
    out.push_back(static_cast<char>(total));
  } else {
    std::string len_bytes;
    for (size_t n = total; n > 0; n >>= 8) len_bytes.insert(len_bytes.begin(), static_cast<char>(n & 0xff));
    out.push_back(static_cast<char>(0x80 | len_bytes.size()));
    out += len_bytes;
  }
  for (const std::string& e : elements) out += e;
  return out;
}

}  // namespace internal
}  // namespace pactum::signing
