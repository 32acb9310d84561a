// The key and trust options of the command line (KeyArgs) as the
// configurations signing/keys.h loads. Shared by the documents and serve
// modules.
#pragma once

#include <optional>

#include "cli/args.h"
#include "pactum/models/status.h"
#include "pactum/signing/keys.h"

namespace pactum::service::cli {

signing::TrustConfig TrustConfigOf(const KeyArgs& args);

// The signing key's configuration, when one is given. The PKCS#12 password
// comes from PACTUM_SIGN_P12_PASSWORD or the first line of
// --sign-p12-password-file. Errors: kNotFound for a password file that
// cannot be read, kBadRequest for options that do not go together.
Result<std::optional<signing::SigningConfig>> SigningConfigOf(const KeyArgs& args);

// kBadRequest unless --tsa-url is empty or an http:// or https:// URL.
std::optional<Error> CheckTsaUrl(const std::string& url);

}  // namespace pactum::service::cli
