#include "cli/keys.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace pactum::service::cli {

signing::TrustConfig TrustConfigOf(const KeyArgs& args) {
  return signing::TrustConfig{args.trust_anchors, args.intermediates, args.crls};
}

Result<std::optional<signing::SigningConfig>> SigningConfigOf(const KeyArgs& args) {
  if (args.sign_p12.empty() && args.sign_key.empty() && args.sign_cert.empty()) {
    return std::optional<signing::SigningConfig>();
  }
  signing::SigningConfig sc;
  if (!args.sign_p12.empty()) {
    sc.p12_file = args.sign_p12;
    if (const char* pw = std::getenv("PACTUM_SIGN_P12_PASSWORD")) sc.p12_password = pw;
    if (!args.sign_p12_password_file.empty()) {
      std::ifstream in(args.sign_p12_password_file, std::ios::binary);
      if (!in) return Error{ErrorCode::kNotFound, "cannot read --sign-p12-password-file " + args.sign_p12_password_file};
      std::ostringstream pw;
      pw << in.rdbuf();
      const std::string text = pw.str();
      sc.p12_password = text.substr(0, text.find_first_of("\r\n"));
    }
  } else {
    if (args.sign_key.empty() || args.sign_cert.empty()) {
      return Error::BadRequest("--sign-key and --sign-cert go together (or use --sign-p12)");
    }
    sc.key_file = args.sign_key;
    sc.cert_file = args.sign_cert;
  }
  sc.ocsp_response_files = args.ocsp_responses;
  sc.ocsp_url = args.ocsp_url;
  return std::optional<signing::SigningConfig>(sc);
}

std::optional<Error> CheckTsaUrl(const std::string& url) {
  if (!url.empty() && url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return Error::BadRequest("--tsa-url must be an http:// or https:// URL");
  }
  return std::nullopt;
}

}  // namespace pactum::service::cli
