#include "pactum/signing/keys.h"

#include "crypto.h"

namespace pactum::signing {

Result<std::shared_ptr<const TrustContext>> LoadTrust(const TrustConfig& config) { return TrustContext::Load(config); }

Result<std::shared_ptr<const SigningKey>> LoadSigningKey(const SigningConfig& config) {
  return SigningKey::Load(config);
}

}  // namespace pactum::signing
