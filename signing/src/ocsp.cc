// Asking an OCSP responder (RFC 6960 over HTTP POST) for the status of one
// certificate, for the validation data of PAdES B-LT. Used only when the
// operator names a responder (SigningConfig::ocsp_url): nothing here runs
// during verification.

// The CPPHTTPLIB_* options Debian's shared libcpp-httplib was built with
// come from its pkg-config target (signing/CMakeLists.txt).
#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>

#include <climits>
#include <exception>

#include "crypto.h"
#include "openssl_util.h"

namespace pactum::signing::internal {
namespace {

// The largest response read; a response with a few certificates is a few KiB.
constexpr size_t kMaxOcspResponse = 1024 * 1024;

using OcspRequestPtr = OpenSslPtr<OCSP_REQUEST, OCSP_REQUEST_free>;

Result<std::string> Fetch(const std::string& url, X509* cert, X509* issuer, std::chrono::seconds timeout) {
  OcspRequestPtr request(OCSP_REQUEST_new());
  OcspCertIdPtr id(OCSP_cert_to_id(EVP_sha1(), cert, issuer));
  if (!request || !id || OCSP_request_add0_id(request.get(), id.get()) == nullptr) {
    return Error::Internal("cannot build an OCSP request: " + DrainOpenSslErrors());
  }
  static_cast<void>(id.release());  // owned by the request now
  unsigned char* der = nullptr;
  const int der_len = i2d_OCSP_REQUEST(request.get(), &der);
  if (der_len <= 0 || der == nullptr) return Error::Internal("cannot encode an OCSP request: " + DrainOpenSslErrors());
  const std::string body(reinterpret_cast<const char*>(der), static_cast<size_t>(der_len));
  OPENSSL_free(der);

  std::string origin, path;
  if (!SplitHttpUrl(url, &origin, &path)) {
    return Error::Internal("OCSP responder URL " + url + " is not http(s)://host[:port]/path");
  }
  httplib::Client client(origin);
  if (!client.is_valid()) return Error::Internal("OCSP responder URL " + url + " is not usable");
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  httplib::Result res = client.Post(path.c_str(), body, "application/ocsp-request");
  if (!res) return Error::Timeout("OCSP responder " + url + " did not answer: " + httplib::to_string(res.error()));
  if (res->status != 200) {
    return Error::Internal("OCSP responder " + url + " answered HTTP " + std::to_string(res->status));
  }
  if (res->body.empty() || res->body.size() > kMaxOcspResponse || !ParseOcspResponse(res->body)) {
    return Error::Internal("OCSP responder " + url + " answered " + std::to_string(res->body.size()) +
                           " bytes, no OCSP response");
  }
  return res->body;
}

}  // namespace

Result<std::string> FetchOcspResponse(const std::string& url, X509* cert, X509* issuer, std::chrono::seconds timeout) {
  try {
    Result<std::string> response = Fetch(url, cert, issuer, timeout);
    ERR_clear_error();
    return response;
  } catch (const std::exception& e) {  // std::bad_alloc, or from httplib
    ERR_clear_error();
    return Error::Internal("OCSP responder " + url + " failed: " + e.what());
  }
}

}  // namespace pactum::signing::internal
