#include "algorithm_util.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dsa.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "crypto_test_util.h"

namespace pactum::signing::testing {
namespace {

using internal::EvpPkeyPtr;
using internal::X509Ptr;

EvpPkeyPtr DsaKey(int bits) {
  internal::OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free> pctx(EVP_PKEY_CTX_new_from_name(nullptr, "DSA", nullptr));
  EVP_PKEY* params = nullptr;
  if (!pctx || EVP_PKEY_paramgen_init(pctx.get()) != 1 ||
      EVP_PKEY_CTX_set_dsa_paramgen_bits(pctx.get(), bits) != 1 || EVP_PKEY_paramgen(pctx.get(), &params) != 1) {
    return nullptr;
  }
  EvpPkeyPtr owned_params(params);
  internal::OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free> kctx(EVP_PKEY_CTX_new_from_pkey(nullptr, params, nullptr));
  EVP_PKEY* key = nullptr;
  if (!kctx || EVP_PKEY_keygen_init(kctx.get()) != 1 || EVP_PKEY_keygen(kctx.get(), &key) != 1) return nullptr;
  return EvpPkeyPtr(key);
}

EvpPkeyPtr NewKey(const std::string& kind) {
  if (kind == "rsa2048") return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  if (kind == "rsapss") return ReadPemKey(PkiFile("rsapss.key"));  // EVP_PKEY_Q_keygen makes no RSA-PSS keys
  if (kind == "p256") return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (kind == "p384") return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  if (kind == "p521") return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"));
  if (kind == "brainpoolP256r1") return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "brainpoolP256r1"));
  if (kind == "ed25519") return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (kind == "ed448") return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448"));
  if (kind == "dsa2048") return DsaKey(2048);
  return nullptr;
}

bool AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A certificate for `key` issued by the PKI's intermediate.
X509Ptr Issue(EVP_PKEY* key, const std::string& cn) {
  X509Ptr ca = ReadPemCert(PkiFile("intermediate.pem"));
  EvpPkeyPtr ca_key = ReadPemKey(PkiFile("intermediate.key"));
  X509Ptr cert(X509_new());
  if (!ca || !ca_key || !cert) return nullptr;
  unsigned char serial_bytes[8];
  if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) return nullptr;
  serial_bytes[0] &= 0x7f;
  serial_bytes[0] |= 0x01;
  internal::BignumPtr serial_bn(BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr));
  internal::Asn1IntegerPtr serial(serial_bn ? BN_to_ASN1_INTEGER(serial_bn.get(), nullptr) : nullptr);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  const auto add_name = [&](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(subject, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0) == 1;
  };
  if (!serial || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      X509_set_serialNumber(cert.get(), serial.get()) != 1 ||
      X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.get())) != 1 || !add_name("C", "DE") ||
      !add_name("O", "pactum tests") || !add_name("CN", cn) ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -86400) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 86400) == nullptr ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return nullptr;
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, ca.get(), cert.get(), nullptr, nullptr, 0);
  if (!AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE") ||
      !AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature,nonRepudiation") ||
      !AddExtension(cert.get(), &ctx, NID_ext_key_usage, "emailProtection") ||
      !AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash") ||
      !AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid")) {
    return nullptr;
  }
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) <= 0) return nullptr;
  return cert;
}

std::string PemOf(EVP_PKEY* key) {
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) return "";
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string PemOf(X509* cert) {
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return "";
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

// Signs `tbs` as `spec` says; the raw signature value, "" on failure.
// `*algorithm_id` receives the DER AlgorithmIdentifier of RSASSA-PSS.
std::string SignBytes(EVP_PKEY* key, const CmsSpec& spec, std::string_view tbs, std::string* algorithm_id) {
  internal::EvpMdCtxPtr mctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!mctx || EVP_DigestSignInit(mctx.get(), &pctx, spec.sign_md, nullptr, key) != 1) return "";
  if (spec.pss_salt >= 0 &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
       EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, spec.mgf1_md != nullptr ? spec.mgf1_md : spec.sign_md) <= 0 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, spec.pss_salt) <= 0)) {
    return "";
  }
  const auto* data = reinterpret_cast<const unsigned char*>(tbs.data());
  size_t len = 0;
  if (EVP_DigestSign(mctx.get(), nullptr, &len, data, tbs.size()) != 1) return "";
  std::string sig(len, '\0');
  if (EVP_DigestSign(mctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data, tbs.size()) != 1) {
    return "";
  }
  sig.resize(len);
  if (spec.pss_salt >= 0 && algorithm_id != nullptr) {
    unsigned char aid[256];
    OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, aid, sizeof aid),
                           OSSL_PARAM_construct_end()};
    if (EVP_PKEY_CTX_get_params(pctx, params) != 1 || !OSSL_PARAM_modified(&params[0])) return "";
    algorithm_id->assign(reinterpret_cast<const char*>(aid), params[0].return_size);
  }
  if (spec.plain_ecdsa) {
    // DER ECDSA-Sig-Value -> r || s, each as long as the group order.
    const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
    internal::OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free> ecdsa(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
    if (!ecdsa) return "";
    const int bytes = (EVP_PKEY_get_bits(key) + 7) / 8;
    std::string plain(static_cast<size_t>(2 * bytes), '\0');
    auto* out = reinterpret_cast<unsigned char*>(plain.data());
    if (BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa.get()), out, bytes) != bytes ||
        BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa.get()), out + bytes, bytes) != bytes) {
      return "";
    }
    return plain;
  }
  return sig;
}

std::string Digest(const EVP_MD* md, size_t xof_bytes, std::string_view data) {
  internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1) {
    return "";
  }
  if (xof_bytes > 0) {
    std::string out(xof_bytes, '\0');
    if (EVP_DigestFinalXOF(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), out.size()) != 1) return "";
    return out;
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), out, &len) != 1) return "";
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace

const TestSigner& SignerOf(const std::string& kind) {
  static std::mutex mu;
  static std::map<std::string, TestSigner>* signers = new std::map<std::string, TestSigner>();
  std::lock_guard<std::mutex> lock(mu);
  auto it = signers->find(kind);
  if (it != signers->end()) return it->second;
  TestSigner s;
  s.key = NewKey(kind);
  if (s.key) s.cert = Issue(s.key.get(), "pactum test " + kind);
  EXPECT_TRUE(s.key && s.cert) << kind << ": " << internal::DrainOpenSslErrors();
  if (!s.key || !s.cert) {
    static const TestSigner* const kEmpty = new TestSigner();
    return *kEmpty;
  }
  return signers->emplace(kind, std::move(s)).first->second;
}

void WriteSignerPem(const TestSigner& signer, const std::string& dir, const std::string& name) {
  WriteFileOrDie(dir + "/" + name + ".key", PemOf(signer.key.get()));
  WriteFileOrDie(dir + "/" + name + "-chain.pem",
                 PemOf(signer.cert.get()) + ReadFileOrDie(PkiFile("intermediate.pem")));
}

std::string BuildCms(const TestSigner& signer, const CmsSpec& spec, std::string_view content) {
  const auto fail = [](const std::string& what) {
    ADD_FAILURE() << "BuildCms: " << what << ": " << internal::DrainOpenSslErrors();
    return std::string();
  };
  if (!signer.key || !signer.cert) return fail("no signer");
  X509Ptr intermediate = ReadPemCert(PkiFile("intermediate.pem"));
  const unsigned int flags = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP | (spec.signed_attributes ? 0 : CMS_NOATTR);
  internal::CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, CMS_PARTIAL | CMS_DETACHED | CMS_BINARY));
  if (!cms) return fail("SignedData");
  // Any digest OpenSSL accepts for the key here; the identifiers are
  // rewritten below.
  const EVP_MD* placeholder = EVP_PKEY_is_a(signer.key.get(), "DSA") ? EVP_sha256() : EVP_sha512();
  CMS_SignerInfo* si = CMS_add1_signer(cms.get(), signer.cert.get(), signer.key.get(), placeholder, flags);
  if (si == nullptr) return fail("SignerInfo");
  if (CMS_add1_cert(cms.get(), intermediate.get()) != 1) return fail("intermediate");

  X509_ALGOR* digest_alg = nullptr;
  X509_ALGOR* signature_alg = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digest_alg, &signature_alg);
  ASN1_OBJECT* digest_oid = OBJ_txt2obj(spec.digest_oid.c_str(), 1);
  if (digest_oid == nullptr) return fail("digest OID");
  if (spec.digest_bits_parameter > 0) {
    ASN1_INTEGER* bits = ASN1_INTEGER_new();
    ASN1_INTEGER_set(bits, spec.digest_bits_parameter);
    X509_ALGOR_set0(digest_alg, digest_oid, V_ASN1_INTEGER, bits);
  } else {
    X509_ALGOR_set0(digest_alg, digest_oid, spec.digest_null_parameter ? V_ASN1_NULL : V_ASN1_UNDEF, nullptr);
  }

  std::string tbs;
  if (spec.signed_attributes) {
    for (int idx; (idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1)) >= 0;) {
      X509_ATTRIBUTE_free(CMS_signed_delete_attr(si, idx));
    }
    const std::string digest = Digest(spec.message_md, spec.message_xof_bytes, content);
    if (digest.empty()) return fail("message digest");
    if (CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1) !=
            1 ||
        CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, digest.data(),
                                    static_cast<int>(digest.size())) != 1) {
      return fail("signed attributes");
    }
    tbs = internal::SignedAttributesDer(si);
  } else {
    tbs = std::string(content);
  }
  std::string algorithm_id;
  const std::string sig = SignBytes(signer.key.get(), spec, tbs, &algorithm_id);
  if (sig.empty()) return fail("signature");
  if (spec.pss_salt >= 0) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(algorithm_id.data());
    if (d2i_X509_ALGOR(&signature_alg, &p, static_cast<long>(algorithm_id.size())) == nullptr) {
      return fail("PSS identifier");
    }
  } else {
    ASN1_OBJECT* oid = OBJ_txt2obj(spec.signature_oid.c_str(), 1);
    if (oid == nullptr) return fail("signature OID");
    X509_ALGOR_set0(signature_alg, oid, V_ASN1_UNDEF, nullptr);
  }
  if (ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig.data(), static_cast<int>(sig.size())) != 1) {
    return fail("signature value");
  }
  if (!spec.encapsulated.empty()) {
    if (CMS_set_detached(cms.get(), 0) != 1) return fail("attach");
    ASN1_OCTET_STRING** econtent = CMS_get0_content(cms.get());
    if (econtent == nullptr) return fail("eContent");
    if (*econtent == nullptr) *econtent = ASN1_OCTET_STRING_new();
    (*econtent)->flags &= ~ASN1_STRING_FLAG_CONT;  // the bytes are here, not streamed
    if (ASN1_OCTET_STRING_set(*econtent, reinterpret_cast<const unsigned char*>(spec.encapsulated.data()),
                              static_cast<int>(spec.encapsulated.size())) != 1) {
      return fail("eContent bytes");
    }
  }
  return Der(cms.get());
}

CmsSpec Spec(const char* digest_oid, const EVP_MD* message_md, const EVP_MD* sign_md, const char* signature_oid) {
  CmsSpec s;
  s.digest_oid = digest_oid;
  s.message_md = message_md;
  s.sign_md = sign_md;
  s.signature_oid = signature_oid;
  return s;
}

std::string ReorderSignedAttributes(const TestSigner& signer, const std::string& cms_der, const EVP_MD* md) {
  const std::optional<std::string> attrs = internal::RawSignedAttributes(cms_der);
  if (!attrs) {
    ADD_FAILURE() << "no signed attributes";
    return "";
  }
  // The SET's elements, reversed (they came in DER order).
  std::string_view set = *attrs, body;
  unsigned char tag = 0;
  if (!internal::ReadTlv(&set, &tag, &body)) return "";
  std::vector<std::string_view> elements;
  while (!body.empty()) {
    std::string_view element, whole;
    if (!internal::ReadTlv(&body, &tag, &element, &whole)) return "";
    elements.push_back(whole);
  }
  size_t elements_size = 0;
  for (std::string_view e : elements) elements_size += e.size();
  std::string reordered = attrs->substr(0, attrs->size() - elements_size);  // the same tag and length
  for (auto it = elements.rbegin(); it != elements.rend(); ++it) reordered.append(*it);
  EXPECT_NE(reordered, *attrs) << "needs two different attributes";

  CmsSpec spec;
  spec.sign_md = md;
  const std::string new_sig = SignBytes(signer.key.get(), spec, reordered, nullptr);
  // The old signature value, found by parsing; replaced in place.
  internal::CmsPtr cms = Parse(cms_der);
  if (!cms || new_sig.empty()) return "";
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms.get()), 0);
  const ASN1_OCTET_STRING* old = CMS_SignerInfo_get0_signature(si);
  const std::string old_sig(reinterpret_cast<const char*>(ASN1_STRING_get0_data(old)),
                            static_cast<size_t>(ASN1_STRING_length(old)));
  EXPECT_EQ(old_sig.size(), new_sig.size());
  std::string out = cms_der;
  const size_t attrs_at = out.find(attrs->substr(1));
  const size_t sig_at = out.find(old_sig);
  if (attrs_at == std::string::npos || sig_at == std::string::npos || old_sig.size() != new_sig.size()) return "";
  out.replace(attrs_at, reordered.size() - 1, reordered.substr(1));
  out.replace(sig_at, new_sig.size(), new_sig);
  return out;
}

}  // namespace pactum::signing::testing
