// SigningKey and CreateCades: detached CAdES signatures for PAdES B-B / B-T.
//
// OpenSSL's CMS_SignerInfo_sign (run by CMS_final) always adds a signingTime
// attribute, which PAdES forbids. So the SignerInfo is made with
// CMS_add1_signer (ESS signing-certificate-v2 via CMS_CADES), the
// content-type and message-digest attributes are added here, and the
// signature over the DER SET of the signed attributes is computed here with
// EVP_DigestSign. The result is parsed again and verified before it is
// returned.

// The CPPHTTPLIB_* options Debian's shared libcpp-httplib was built with
// come from its pkg-config target (signing/CMakeLists.txt).
#include <httplib.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <chrono>
#include <climits>
#include <exception>
#include <fstream>
#include <sstream>

#include "crypto.h"
#include "openssl_util.h"

namespace pactum::signing {

using internal::ReadFile;
using internal::BioPtr;
using internal::CmsPtr;
using internal::EvpPkeyPtr;
using internal::X509Ptr;

namespace {

// Room for everything of a CreateCades CMS but certificates and signature:
// SignedData and SignerInfo framing, algorithm identifiers (RSA-PSS
// parameters included), content-type, message-digest and
// signing-certificate-v2 attributes.
constexpr size_t kCmsOverhead = 2048;
// Room for a signature timestamp token: TSTInfo, the TSA's signature and the
// certificates a TSA typically includes. CreateCades fails rather than
// exceed it.
constexpr size_t kTimestampBudget = 32 * 1024;
// The largest TSA response read.
constexpr size_t kMaxTsaResponse = 1024 * 1024;

int NoPassword(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

const EVP_MD* DigestByName(const std::string& name) {
  if (name == "sha256") return EVP_sha256();
  if (name == "sha384") return EVP_sha384();
  if (name == "sha512") return EVP_sha512();
  return nullptr;
}

bool IsEd25519(EVP_PKEY* key) { return EVP_PKEY_is_a(key, "ED25519"); }

bool SupportedKey(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS") || IsEd25519(key)) return true;
  if (!EVP_PKEY_is_a(key, "EC")) return false;
  char group[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof(group), &len) != 1) return false;
  const std::string_view g(group, len);
  return g == "prime256v1" || g == "secp384r1" || g == "secp521r1";
}

}  // namespace

struct SigningKey::Impl {
  EvpPkeyPtr key;
  X509Ptr cert;
  std::vector<X509Ptr> chain;  // without `cert`
  const EVP_MD* md = nullptr;
  CertificateInfo info;
  size_t certificates_size = 0;  // DER bytes of cert and chain
  std::vector<std::string> ocsp_responses;  // DER, from SigningConfig::ocsp_response_files
  std::string ocsp_url;
};

SigningKey::SigningKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SigningKey::~SigningKey() = default;

const CertificateInfo& SigningKey::certificate() const { return impl_->info; }

std::vector<std::string> SigningKey::CertificatesDer() const {
  std::vector<std::string> out = {internal::CertDer(impl_->cert.get())};
  for (const X509Ptr& x : impl_->chain) out.push_back(internal::CertDer(x.get()));
  return out;
}

const std::vector<std::string>& SigningKey::ocsp_responses() const { return impl_->ocsp_responses; }
const std::string& SigningKey::ocsp_url() const { return impl_->ocsp_url; }

size_t SigningKey::MaxCmsSize(bool with_timestamp) const {
  const int key_size = EVP_PKEY_get_size(impl_->key.get());
  size_t n = kCmsOverhead + impl_->certificates_size + static_cast<size_t>(key_size > 0 ? key_size : 1024);
  if (with_timestamp) n += kTimestampBudget;
  return n;
}

Result<std::shared_ptr<const SigningKey>> SigningKey::Load(const SigningConfig& config) {
  auto impl = std::make_unique<Impl>();
  impl->md = DigestByName(config.digest);
  if (impl->md == nullptr) {
    return Error::BadRequest("unsupported signing digest '" + config.digest + "' (sha256, sha384, sha512)");
  }
  std::string data;
  std::string source;
  if (!config.p12_file.empty()) {
    source = config.p12_file;
    if (!ReadFile(config.p12_file, &data)) return Error::BadRequest("cannot read PKCS#12 file " + source);
    BioPtr bio = internal::MemoryBio(data);
    internal::OpenSslPtr<PKCS12, PKCS12_free> p12(bio ? d2i_PKCS12_bio(bio.get(), nullptr) : nullptr);
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    STACK_OF(X509)* ca = nullptr;
    if (!p12 || PKCS12_parse(p12.get(), config.p12_password.c_str(), &key, &cert, &ca) != 1) {
      ERR_clear_error();
      return Error::BadRequest("cannot open PKCS#12 file " + source +
                               ": wrong password, damaged file or legacy encryption");
    }
    impl->key.reset(key);
    impl->cert.reset(cert);
    internal::X509StackPtr chain(ca);
    while (chain && sk_X509_num(chain.get()) > 0) impl->chain.emplace_back(sk_X509_shift(chain.get()));
  } else if (!config.key_file.empty() && !config.cert_file.empty()) {
    source = config.cert_file;
    if (!ReadFile(config.key_file, &data))
      return Error::BadRequest("cannot read key file " + config.key_file);
    {
      BioPtr bio = internal::MemoryBio(data);
      if (bio) impl->key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr));
    }
    if (!impl->key) {
      ERR_clear_error();
      return Error::BadRequest("key file " + config.key_file + " holds no unencrypted PEM private key");
    }
    if (!ReadFile(config.cert_file, &data))
      return Error::BadRequest("cannot read certificate file " + source);
    BioPtr bio = internal::MemoryBio(data);
    if (bio) impl->cert.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    while (bio) {
      X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
      if (x == nullptr) break;
      impl->chain.emplace_back(x);
    }
    ERR_clear_error();
  } else {
    return Error::BadRequest("no signing key: configure a PKCS#12 file, or a PEM key and certificate");
  }

  if (!impl->key || !impl->cert) return Error::BadRequest(source + " holds no key and certificate");
  if (X509_check_private_key(impl->cert.get(), impl->key.get()) != 1) {
    ERR_clear_error();
    return Error::BadRequest("the private key does not match the certificate of " + source);
  }
  if (!SupportedKey(impl->key.get())) {
    return Error::BadRequest("the key of " + source + " is not RSA, RSA-PSS, ECDSA P-256/P-384/P-521 or Ed25519");
  }
  // RFC 8419: the message digest of an Ed25519 signature is SHA-512.
  if (IsEd25519(impl->key.get())) impl->md = EVP_sha512();
  // A chain that repeats the signer's certificate would add it twice.
  std::erase_if(impl->chain, [&](const X509Ptr& x) { return X509_cmp(x.get(), impl->cert.get()) == 0; });
  for (const std::string& path : config.ocsp_response_files) {
    if (!ReadFile(path, &data)) return Error::BadRequest("cannot read OCSP response file " + path);
    if (!internal::ParseOcspResponse(data)) {
      return Error::BadRequest("OCSP response file " + path + " holds no DER OCSP response");
    }
    impl->ocsp_responses.push_back(data);
  }
  if (!config.ocsp_url.empty() && config.ocsp_url.rfind("http://", 0) != 0 &&
      config.ocsp_url.rfind("https://", 0) != 0) {
    return Error::BadRequest("the OCSP responder URL must be an http:// or https:// URL");
  }
  impl->ocsp_url = config.ocsp_url;
  impl->info = internal::InfoOf(impl->cert.get());
  impl->certificates_size = internal::CertDer(impl->cert.get()).size();
  for (const X509Ptr& x : impl->chain) impl->certificates_size += internal::CertDer(x.get()).size();
  ERR_clear_error();
  return std::shared_ptr<const SigningKey>(new SigningKey(std::move(impl)));
}

bool internal::SplitHttpUrl(const std::string& url, std::string* origin, std::string* path) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return false;
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return false;
  const size_t path_start = url.find('/', scheme_end + 3);
  *origin = url.substr(0, path_start);
  *path = path_start == std::string::npos ? "/" : url.substr(path_start);
  return origin->size() > scheme_end + 3;
}

namespace {

// Asks `tsa` for a token over SHA-256(`signature`), checks status, nonce,
// imprint and the token's signature; returns the token's DER.
Result<std::string> FetchTimestamp(const TimestampAuthority& tsa, std::string_view signature) {
  const std::string imprint = internal::DigestParts(EVP_sha256(), {signature});
  internal::TsReqPtr req(TS_REQ_new());
  internal::TsMsgImprintPtr msg(TS_MSG_IMPRINT_new());
  internal::X509AlgorPtr alg(X509_ALGOR_new());
  unsigned char nonce_bytes[8];
  if (imprint.empty() || !req || !msg || !alg || RAND_bytes(nonce_bytes, sizeof(nonce_bytes)) != 1) {
    return Error::Internal("cannot build a time-stamp request: " + internal::DrainOpenSslErrors());
  }
  nonce_bytes[0] &= 0x7f;  // a positive INTEGER
  nonce_bytes[0] |= 0x01;  // of full length
  internal::BignumPtr nonce_bn(BN_bin2bn(nonce_bytes, sizeof(nonce_bytes), nullptr));
  internal::Asn1IntegerPtr nonce(nonce_bn ? BN_to_ASN1_INTEGER(nonce_bn.get(), nullptr) : nullptr);
  X509_ALGOR_set_md(alg.get(), EVP_sha256());
  if (!nonce || TS_REQ_set_version(req.get(), 1) != 1 || TS_MSG_IMPRINT_set_algo(msg.get(), alg.get()) != 1 ||
      TS_MSG_IMPRINT_set_msg(msg.get(), reinterpret_cast<unsigned char*>(const_cast<char*>(imprint.data())),
                             static_cast<int>(imprint.size())) != 1 ||
      TS_REQ_set_msg_imprint(req.get(), msg.get()) != 1 || TS_REQ_set_nonce(req.get(), nonce.get()) != 1 ||
      TS_REQ_set_cert_req(req.get(), 1) != 1) {
    return Error::Internal("cannot build a time-stamp request: " + internal::DrainOpenSslErrors());
  }
  unsigned char* der = nullptr;
  const int der_len = i2d_TS_REQ(req.get(), &der);
  if (der_len <= 0 || der == nullptr) {
    return Error::Internal("cannot encode a time-stamp request: " + internal::DrainOpenSslErrors());
  }
  const std::string body(reinterpret_cast<const char*>(der), static_cast<size_t>(der_len));
  OPENSSL_free(der);

  std::string origin, path;
  if (!internal::SplitHttpUrl(tsa.url, &origin, &path)) {
    return Error::Internal("time-stamp authority URL " + tsa.url + " is not http(s)://host[:port]/path");
  }
  httplib::Client client(origin);
  if (!client.is_valid()) return Error::Internal("time-stamp authority URL " + tsa.url + " is not usable");
  client.set_connection_timeout(tsa.timeout);
  client.set_read_timeout(tsa.timeout);
  client.set_write_timeout(tsa.timeout);
  httplib::Result res = client.Post(path.c_str(), body, "application/timestamp-query");
  if (!res) {
    return Error::Timeout("time-stamp authority " + tsa.url +
                          " did not answer: " + httplib::to_string(res.error()));
  }
  if (res->status != 200) {
    return Error::Internal("time-stamp authority " + tsa.url + " answered HTTP " +
                           std::to_string(res->status));
  }
  if (res->body.empty() || res->body.size() > kMaxTsaResponse) {
    return Error::Internal("time-stamp authority " + tsa.url + " answered " +
                           std::to_string(res->body.size()) + " bytes, no TimeStampResp");
  }

  const unsigned char* p = reinterpret_cast<const unsigned char*>(res->body.data());
  internal::TsRespPtr resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(res->body.size())));
  if (!resp) {
    ERR_clear_error();
    return Error::Internal("time-stamp authority " + tsa.url + " answered no TimeStampResp");
  }
  const ASN1_INTEGER* status = TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp.get()));
  const long status_value = status != nullptr ? ASN1_INTEGER_get(status) : -1;
  if (status_value != 0 && status_value != 1) {  // granted, grantedWithMods
    return Error::Internal("time-stamp authority " + tsa.url + " refused the request (PKIStatus " +
                           std::to_string(status_value) + ")");
  }
  PKCS7* token = TS_RESP_get_token(resp.get());
  if (token == nullptr)
    return Error::Internal("time-stamp authority " + tsa.url + " granted but sent no token");

  // Version, imprint (algorithm and value) and nonce as requested.
  internal::TsVerifyCtxPtr ctx(TS_REQ_to_TS_VERIFY_CTX(req.get(), nullptr));
  if (!ctx) return Error::Internal("cannot check the time-stamp: " + internal::DrainOpenSslErrors());
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
  if (TS_RESP_verify_response(ctx.get(), resp.get()) != 1) {
    const std::string why = internal::DrainOpenSslErrors();
    return Error::Internal("time-stamp token from " + tsa.url + " does not match the request (" + why + ")");
  }

  unsigned char* token_der = nullptr;
  const int token_len = i2d_PKCS7(token, &token_der);
  if (token_len <= 0 || token_der == nullptr) {
    return Error::Internal("cannot encode the time-stamp token: " + internal::DrainOpenSslErrors());
  }
  std::string out(reinterpret_cast<const char*>(token_der), static_cast<size_t>(token_len));
  OPENSSL_free(token_der);
  std::string why;
  if (!internal::CheckTimestampTokenIntegrity(out, &why)) {
    return Error::Internal("time-stamp token from " + tsa.url + " does not verify (" + why + ")");
  }
  return out;
}

// Signs the DER SET of `si`'s signed attributes with `k` and stores the
// signature (and, for RSA-PSS keys, the PSS algorithm identifier) in `si`.
bool SignAttributes(const SigningKey::Impl& k, CMS_SignerInfo* si) {
  const std::string tbs = internal::SignedAttributesDer(si);
  internal::EvpMdCtxPtr mctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by mctx
  // EdDSA signs the attributes themselves (no pre-hash).
  const EVP_MD* md = IsEd25519(k.key.get()) ? nullptr : k.md;
  if (tbs.empty() || !mctx || EVP_DigestSignInit(mctx.get(), &pctx, md, nullptr, k.key.get()) != 1) {
    return false;
  }
  const bool pss = EVP_PKEY_is_a(k.key.get(), "RSA-PSS");
  if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0 ||
              EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, k.md) <= 0)) {
    return false;
  }
  const auto* data = reinterpret_cast<const unsigned char*>(tbs.data());
  size_t len = 0;
  if (EVP_DigestSign(mctx.get(), nullptr, &len, data, tbs.size()) != 1) return false;
  std::string sig(len, '\0');
  if (EVP_DigestSign(mctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data, tbs.size()) != 1) {
    return false;
  }
  sig.resize(len);
  if (pss) {
    // The PSS parameters as the provider used them.
    unsigned char aid[256];
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, aid, sizeof(aid)),
        OSSL_PARAM_construct_end()};
    X509_ALGOR* alg = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, nullptr, &alg);
    if (EVP_PKEY_CTX_get_params(pctx, params) != 1 || !OSSL_PARAM_modified(&params[0]) || alg == nullptr) {
      return false;
    }
    const unsigned char* p = aid;
    if (d2i_X509_ALGOR(&alg, &p, static_cast<long>(params[0].return_size)) == nullptr) return false;
  }
  return ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig.data(), static_cast<int>(sig.size())) == 1;
}

// Parses `der` again and checks what a verifier will check: one
// SignerInfo, no signingTime, and CheckSignature's integrity over `data`.
bool SelfCheck(const std::string& der, const std::vector<std::string_view>& data) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  if (!cms) return false;
  STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms.get());
  if (sk_CMS_SignerInfo_num(signers) != 1) return false;
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(signers, 0);
  if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) >= 0) return false;
  CryptoInput input;
  input.contents = der;
  input.signed_data = data;
  input.now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  return CheckSignature(input, *TrustContext::Empty()).integrity_ok;
}

Result<std::string> MakeCades(const SigningKey& key, const std::vector<std::string_view>& data,
                              const TimestampAuthority* tsa) {
  const SigningKey::Impl& k = key.impl();
  auto fail = [](const std::string& what) {
    return Error::Internal("cannot create the CMS signature: " + what + " (" +
                           internal::DrainOpenSslErrors() + ")");
  };
  CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, CMS_PARTIAL | CMS_DETACHED | CMS_BINARY));
  if (!cms) return fail("SignedData");
  CMS_SignerInfo* si = CMS_add1_signer(cms.get(), k.cert.get(), k.key.get(), k.md,
                                       CMS_BINARY | CMS_CADES | CMS_NOSMIMECAP | CMS_PARTIAL);
  if (si == nullptr) return fail("SignerInfo");
  if (IsEd25519(k.key.get())) {
    // OpenSSL 3.0's CMS leaves the signature algorithm of EdDSA keys empty:
    // id-Ed25519 with absent parameters (RFC 8419).
    X509_ALGOR* alg = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, nullptr, &alg);
    if (alg == nullptr || X509_ALGOR_set0(alg, OBJ_nid2obj(NID_ED25519), V_ASN1_UNDEF, nullptr) != 1) {
      return fail("Ed25519 algorithm identifier");
    }
  }
  for (const X509Ptr& x : k.chain) {
    if (CMS_add1_cert(cms.get(), x.get()) != 1) return fail("chain certificate");
  }

  const std::string digest = internal::DigestParts(k.md, data);
  if (digest.empty()) return fail("digest");
  // Whatever OpenSSL may have added, PAdES wants no signingTime.
  for (int idx; (idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1)) >= 0;) {
    X509_ATTRIBUTE_free(CMS_signed_delete_attr(si, idx));
  }
  if (CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data),
                                  -1) != 1 ||
      CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, digest.data(),
                                  static_cast<int>(digest.size())) != 1) {
    return fail("signed attributes");
  }
  if (!SignAttributes(k, si)) return fail("signature");

  if (tsa != nullptr) {
    const ASN1_OCTET_STRING* sig = CMS_SignerInfo_get0_signature(si);
    Result<std::string> token =
        FetchTimestamp(*tsa, std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(sig)),
                                              static_cast<size_t>(ASN1_STRING_length(sig))));
    if (!token.ok()) return token.error();
    if (CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE, token->data(),
                                      static_cast<int>(token->size())) != 1) {
      return fail("timestamp attribute");
    }
  }

  unsigned char* der = nullptr;
  const int len = i2d_CMS_ContentInfo(cms.get(), &der);
  if (len <= 0 || der == nullptr) return fail("encoding");
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  if (!SelfCheck(out, data)) return fail("self-check of the new signature failed");
  if (out.size() > key.MaxCmsSize(tsa != nullptr)) {
    return Error::Internal("the CMS signature (" + std::to_string(out.size()) +
                           " bytes) exceeds MaxCmsSize (" + std::to_string(key.MaxCmsSize(tsa != nullptr)) +
                           "); the time-stamp token is too large");
  }
  ERR_clear_error();
  return out;
}

}  // namespace

namespace internal {

Result<std::string> FetchTimestampToken(const TimestampAuthority& tsa, const std::vector<std::string_view>& data) {
  try {
    std::string joined;
    for (std::string_view part : data) joined.append(part);
    Result<std::string> token = FetchTimestamp(tsa, joined);
    ERR_clear_error();
    return token;
  } catch (const std::exception& e) {  // std::bad_alloc, or from httplib
    ERR_clear_error();
    return Error::Internal(std::string("cannot get a time-stamp token: ") + e.what());
  }
}

}  // namespace internal

Result<std::string> CreateCades(const SigningKey& key, const std::vector<std::string_view>& data,
                                const TimestampAuthority* tsa) {
  try {
    Result<std::string> result = MakeCades(key, data, tsa);
    ERR_clear_error();
    return result;
  } catch (const std::exception& e) {  // std::bad_alloc, or from httplib
    ERR_clear_error();
    return Error::Internal(std::string("cannot create the CMS signature: ") + e.what());
  }
}

}  // namespace pactum::signing
