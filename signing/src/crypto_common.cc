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

std::string UpperHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
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

namespace {

// Digests by OID. `bytes`: output length of an XOF (SHAKE), 0 otherwise.
struct DigestOid {
  const char* oid;
  const char* name;
  const EVP_MD* (*md)();
  size_t xof_bytes;
};

constexpr DigestOid kDigestOids[] = {
    {"1.3.14.3.2.26", "sha1", EVP_sha1, 0},
    {"2.16.840.1.101.3.4.2.4", "sha224", EVP_sha224, 0},
    {"2.16.840.1.101.3.4.2.1", "sha256", EVP_sha256, 0},
    {"2.16.840.1.101.3.4.2.2", "sha384", EVP_sha384, 0},
    {"2.16.840.1.101.3.4.2.3", "sha512", EVP_sha512, 0},
    {"2.16.840.1.101.3.4.2.5", "sha512-224", EVP_sha512_224, 0},
    {"2.16.840.1.101.3.4.2.6", "sha512-256", EVP_sha512_256, 0},
    {"2.16.840.1.101.3.4.2.7", "sha3-224", EVP_sha3_224, 0},
    {"2.16.840.1.101.3.4.2.8", "sha3-256", EVP_sha3_256, 0},
    {"2.16.840.1.101.3.4.2.9", "sha3-384", EVP_sha3_384, 0},
    {"2.16.840.1.101.3.4.2.10", "sha3-512", EVP_sha3_512, 0},
    {"2.16.840.1.101.3.4.2.11", "shake128", EVP_shake128, 32},  // RFC 8702: 256 bits
    {"2.16.840.1.101.3.4.2.12", "shake256", EVP_shake256, 64},  // RFC 8702: 512 bits
};

// id-shake128-len and id-shake256-len (RFC 8419): the output length in bits
// is the INTEGER parameter.
constexpr const char* kShake128LenOid = "2.16.840.1.101.3.4.2.17";
constexpr const char* kShake256LenOid = "2.16.840.1.101.3.4.2.18";
// Longest SHAKE output accepted, in bits (RFC 8419 uses 512 for Ed448).
constexpr long kMaxShakeBits = 1024;

}  // namespace

std::string OidText(const ASN1_OBJECT* obj) {
  if (obj == nullptr) return "";
  char buf[128];
  const int len = OBJ_obj2txt(buf, sizeof(buf), obj, 1);
  if (len <= 0 || static_cast<size_t>(len) >= sizeof(buf)) return "";
  return std::string(buf, static_cast<size_t>(len));
}

DigestAlgorithm DigestAlgorithmOf(const X509_ALGOR* alg) {
  DigestAlgorithm out;
  if (alg == nullptr) return out;
  const ASN1_OBJECT* obj = nullptr;
  int param_type = V_ASN1_UNDEF;
  const void* param = nullptr;
  X509_ALGOR_get0(&obj, &param_type, &param, alg);
  const std::string oid = OidText(obj);
  for (const DigestOid& d : kDigestOids) {
    if (oid == d.oid) {
      out.md = d.md();
      out.xof_length = d.xof_bytes;
      out.name = d.name;
      return out;
    }
  }
  if (oid == kShake128LenOid || oid == kShake256LenOid) {
    if (param_type != V_ASN1_INTEGER || param == nullptr) return out;
    const long bits = ASN1_INTEGER_get(static_cast<const ASN1_INTEGER*>(param));
    if (bits <= 0 || bits % 8 != 0 || bits > kMaxShakeBits) return out;
    const bool is128 = oid == kShake128LenOid;
    out.md = is128 ? EVP_shake128() : EVP_shake256();
    out.xof_length = static_cast<size_t>(bits / 8);
    out.name = is128 ? "shake128" : "shake256";
  }
  return out;
}

std::string DigestParts(const DigestAlgorithm& alg, const std::vector<std::string_view>& parts) {
  if (alg.md == nullptr) return "";
  if (alg.xof_length == 0) return DigestParts(alg.md, parts);
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), alg.md, nullptr) != 1) return "";
  for (std::string_view part : parts) {
    if (!part.empty() && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) return "";
  }
  std::string out(alg.xof_length, '\0');
  if (EVP_DigestFinalXOF(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), out.size()) != 1) return "";
  return out;
}

std::optional<std::string> RawSignedAttributes(std::string_view cms_der) {
  unsigned char tag = 0;
  std::string_view content_info, signed_data_wrapper, signed_data, item, whole;
  // ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT SignedData }
  if (!ReadTlv(&cms_der, &tag, &content_info) || tag != 0x30) return std::nullopt;
  if (!ReadTlv(&content_info, &tag, &item) || tag != 0x06) return std::nullopt;
  if (!ReadTlv(&content_info, &tag, &signed_data_wrapper) || tag != 0xa0) return std::nullopt;
  if (!ReadTlv(&signed_data_wrapper, &tag, &signed_data) || tag != 0x30) return std::nullopt;
  // SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
  //   certificates [0] OPTIONAL, crls [1] OPTIONAL, signerInfos SET }
  std::string_view signer_infos;
  for (;;) {
    if (!ReadTlv(&signed_data, &tag, &item)) return std::nullopt;
    if (tag == 0x31 && signed_data.empty()) {
      signer_infos = item;
      break;
    }
  }
  std::string_view signer_info;
  if (!ReadTlv(&signer_infos, &tag, &signer_info) || tag != 0x30) return std::nullopt;
  // SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, signedAttrs [0] IMPLICIT OPTIONAL, ... }
  for (int i = 0; i < 3; ++i) {
    if (!ReadTlv(&signer_info, &tag, &item)) return std::nullopt;
  }
  if (!ReadTlv(&signer_info, &tag, &item, &whole) || tag != 0xa0) return std::nullopt;
  std::string out(whole);
  out[0] = '\x31';
  return out;
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
