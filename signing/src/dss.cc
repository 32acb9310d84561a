#include "dss.h"

#include <openssl/err.h>
#include <openssl/sha.h>

#include <algorithm>
#include <climits>
#include <map>

#include "crypto.h"
#include "openssl_util.h"
#include "pdf_file.h"

namespace pactum::signing {
namespace {

using internal::CmsPtr;
using internal::X509Ptr;

// Caps on what one document contributes: signatures examined, chain length,
// size of a /DSS stream read back.
constexpr size_t kMaxSignatures = 64;
constexpr int kMaxChainLength = 8;
constexpr size_t kMaxItemBytes = 4 << 20;
constexpr size_t kMaxItems = 200;

std::string Sha1(std::string_view bytes) {
  return internal::DigestParts(EVP_sha1(), {bytes});
}

std::string CrlDer(X509_CRL* crl) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_CRL(crl, &der);
  if (len <= 0 || der == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

CmsPtr ParseSignedData(std::string_view contents) {
  std::string_view rest = contents, content, whole;
  unsigned char tag = 0;
  if (!internal::ReadTlv(&rest, &tag, &content, &whole) || whole.size() > static_cast<size_t>(LONG_MAX)) {
    return nullptr;
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(whole.data());
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(whole.size())));
  if (!cms || OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) return nullptr;
  return cms;
}

bool SelfIssued(X509* cert) { return X509_check_issued(cert, cert) == X509_V_OK; }

// Whether the OCSP response `der` answers (good or revoked) for `cert`.
bool OcspCovers(const std::string& der, X509* cert, X509* issuer) {
  internal::OcspResponsePtr response = internal::ParseOcspResponse(der);
  if (!response || OCSP_response_status(response.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) return false;
  internal::OcspBasicPtr basic(OCSP_response_get1_basic(response.get()));
  if (!basic) return false;
  for (const EVP_MD* md : {EVP_sha1(), EVP_sha256()}) {
    internal::OcspCertIdPtr id(OCSP_cert_to_id(md, cert, issuer));
    const int index = id ? OCSP_resp_find(basic.get(), id.get(), -1) : -1;
    if (index < 0) continue;
    const int status = OCSP_single_get0_status(OCSP_resp_get0(basic.get(), index), nullptr, nullptr, nullptr, nullptr);
    return status == V_OCSP_CERTSTATUS_GOOD || status == V_OCSP_CERTSTATUS_REVOKED;
  }
  return false;
}

class Collector {
 public:
  explicit Collector(const DssSources& sources) : sources_(sources) {}

  Result<ValidationData> Run(QPDF& pdf) {
    ReadExisting(pdf);
    if (sources_.key != nullptr) {
      for (const std::string& der : sources_.key->CertificatesDer()) AddToPool(internal::ParseCert(der));
    }
    if (sources_.trust != nullptr) {
      for (const X509Ptr& x : sources_.trust->impl().intermediates) AddToPool(Up(x.get()));
      for (const X509Ptr& x : sources_.trust->impl().anchors) AddToPool(Up(x.get()));
      for (const internal::X509CrlPtr& c : sources_.trust->impl().crls) crl_sources_.push_back(CrlDer(c.get()));
    }
    if (sources_.key != nullptr) {
      for (const std::string& der : sources_.key->ocsp_responses()) ocsp_sources_.push_back(der);
    }

    size_t signatures = 0;
    for (SignatureField& field : FindSignatureFields(pdf)) {
      if (!field.readable || ++signatures > kMaxSignatures) continue;
      std::string contents;
      try {
        QPDFObjectHandle c = field.value.getKey("/Contents");
        if (!c.isString()) continue;
        contents = c.getStringValue();
      } catch (const std::exception&) {
        continue;
      }
      const bool doc_timestamp = NameValue(field.value, "/SubFilter") == "/ETSI.RFC3161";
      CmsPtr cms = ParseSignedData(contents);
      if (!cms) continue;  // nothing to gather; the verifier will say what is wrong with it
      VriEntry entry;
      entry.key = internal::UpperHex(Sha1(contents));
      X509* signer = SignerOf(cms.get());
      if (signer == nullptr) continue;
      const bool required =
          !doc_timestamp && (sources_.required_field.empty() || sources_.required_field == field.name);
      if (auto err = AddChain(signer, required, field.name, &entry)) return *err;
      if (!doc_timestamp) {
        // The time-stamp authority of the signature timestamp.
        CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms.get()), 0);
        const int idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
        const ASN1_TYPE* value = idx >= 0 ? X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, idx), 0) : nullptr;
        if (value != nullptr && value->type == V_ASN1_SEQUENCE) {
          const ASN1_STRING* seq = value->value.sequence;
          CmsPtr token = ParseSignedData(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(seq)),
                                                          static_cast<size_t>(ASN1_STRING_length(seq))));
          if (X509* tsa = token ? SignerOf(token.get()) : nullptr) {
            if (auto err = AddChain(tsa, false, field.name, &entry)) return *err;
          }
        }
      }
      data_.vri.push_back(std::move(entry));
    }
    ERR_clear_error();
    if (data_.vri.empty()) {
      return Error::Unprocessable("the document has no signature whose validation data could be gathered");
    }
    return std::move(data_);
  }

 private:
  static X509Ptr Up(X509* x) { return X509_up_ref(x) == 1 ? X509Ptr(x) : nullptr; }

  // Certificates of the /DSS already there: kept, and they help build chains.
  void ReadExisting(QPDF& pdf) {
    try {
      QPDFObjectHandle dss = pdf.getRoot().getKey("/DSS");
      if (!dss.isDictionary()) return;
      auto read = [](QPDFObjectHandle array, std::vector<DssItem>& out) {
        if (!array.isArray()) return;
        for (int i = 0; i < array.getArrayNItems() && out.size() < kMaxItems; ++i) {
          QPDFObjectHandle item = array.getArrayItem(i);
          if (!item.isIndirect()) continue;
          std::optional<std::string> der = ReadStream(item, kMaxItemBytes);
          if (!der) continue;
          if (std::none_of(out.begin(), out.end(), [&](const DssItem& d) { return d.der == *der; })) {
            out.push_back({std::move(*der), item.getObjGen()});
          }
        }
      };
      read(dss.getKey("/Certs"), data_.certs);
      read(dss.getKey("/CRLs"), data_.crls);
      read(dss.getKey("/OCSPs"), data_.ocsps);
    } catch (const std::exception&) {
    }
    for (const DssItem& c : data_.certs) AddToPool(internal::ParseCert(c.der));
    for (const DssItem& c : data_.crls) crl_sources_.push_back(c.der);
    for (const DssItem& o : data_.ocsps) ocsp_sources_.push_back(o.der);
  }

  void AddToPool(X509Ptr cert) {
    if (!cert) return;
    for (const X509Ptr& x : pool_) {
      if (X509_cmp(x.get(), cert.get()) == 0) return;
    }
    pool_.push_back(std::move(cert));
  }

  // The signer's certificate of a SignedData (the certificates inside join
  // the pool); null when it is not there.
  X509* SignerOf(CMS_ContentInfo* cms) {
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
    if (sk_CMS_SignerInfo_num(infos) < 1) return nullptr;
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
    if (STACK_OF(X509)* certs = CMS_get1_certs(cms)) {
      while (X509* x = sk_X509_shift(certs)) AddToPool(X509Ptr(x));
      sk_X509_free(certs);
    }
    for (const X509Ptr& x : pool_) {
      if (CMS_SignerInfo_cert_cmp(si, x.get()) == 0) return x.get();
    }
    ERR_clear_error();
    return nullptr;
  }

  static size_t Index(std::vector<DssItem>& list, std::string der) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i].der == der) return i;
    }
    list.push_back({std::move(der), std::nullopt});
    return list.size() - 1;
  }

  static void AddIndex(std::vector<size_t>& list, size_t i) {
    if (std::find(list.begin(), list.end(), i) == list.end()) list.push_back(i);
  }

  // `leaf` and its issuers up to a self-issued certificate or one whose
  // issuer is not in the pool.
  std::vector<X509*> ChainOf(X509* leaf) {
    std::vector<X509*> chain = {leaf};
    X509* cur = leaf;
    while (static_cast<int>(chain.size()) < kMaxChainLength && !SelfIssued(cur)) {
      X509* issuer = nullptr;
      for (const X509Ptr& x : pool_) {
        if (X509_cmp(x.get(), cur) != 0 && X509_check_issued(x.get(), cur) == X509_V_OK) {
          issuer = x.get();
          break;
        }
      }
      if (issuer == nullptr || std::find(chain.begin(), chain.end(), issuer) != chain.end()) break;
      chain.push_back(issuer);
      cur = issuer;
    }
    ERR_clear_error();
    return chain;
  }

  // The chain of `leaf` and revocation data for each of its certificates
  // below a root into `entry`. With `required`, the leaf must get some.
  std::optional<Error> AddChain(X509* leaf, bool required, const std::string& field, VriEntry* entry) {
    const std::vector<X509*> chain = ChainOf(leaf);
    for (X509* cert : chain) AddIndex(entry->certs, Index(data_.certs, internal::CertDer(cert)));
    for (size_t i = 0; i < chain.size() && !SelfIssued(chain[i]); ++i) {
      X509* cert = chain[i];
      // The issuer, when the pool has it: CRLs must verify with its key. A
      // chain that ends below its root (the root not configured) still gets
      // the CRLs of the top certificate's issuer by name; the verifier
      // checks them against the anchors it has.
      X509* issuer = i + 1 < chain.size() ? chain[i + 1] : nullptr;
      bool covered = false;
      EVP_PKEY* issuer_key = issuer != nullptr ? X509_get0_pubkey(issuer) : nullptr;
      for (const std::string& der : crl_sources_) {
        internal::X509CrlPtr crl = internal::ParseCrl(der);
        if (!crl || X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_issuer_name(cert)) != 0 ||
            (issuer != nullptr && (issuer_key == nullptr || X509_CRL_verify(crl.get(), issuer_key) != 1))) {
          continue;
        }
        AddIndex(entry->crls, Index(data_.crls, der));
        covered = true;
      }
      if (issuer == nullptr) {
        if (i == 0 && required && !covered) return NoRevocationData(field, cert);
        continue;  // OCSP needs the issuer (its name and key hashes)
      }
      for (const std::string& der : ocsp_sources_) {
        if (!OcspCovers(der, cert, issuer)) continue;
        AddIndex(entry->ocsps, Index(data_.ocsps, der));
        covered = true;
      }
      if (sources_.key != nullptr && !sources_.key->ocsp_url().empty()) {
        const std::string cert_der = internal::CertDer(cert);
        auto asked = fetched_.find(cert_der);
        if (asked == fetched_.end()) {
          Result<std::string> response =
              internal::FetchOcspResponse(sources_.key->ocsp_url(), cert, issuer, sources_.timeout);
          if (!response.ok() && response.error().code == ErrorCode::kTimeout) return response.error();
          // A responder that is not in charge of this certificate (another
          // issuer's) answers with an error status: nothing to embed.
          std::optional<std::string> usable;
          if (response.ok() && OcspCovers(*response, cert, issuer)) usable = *response;
          asked = fetched_.emplace(cert_der, usable).first;
        }
        if (asked->second) {
          AddIndex(entry->ocsps, Index(data_.ocsps, *asked->second));
          covered = true;
        }
      }
      if (i == 0 && required && !covered) return NoRevocationData(field, cert);
    }
    ERR_clear_error();
    return std::nullopt;
  }

  static Error NoRevocationData(const std::string& field, X509* cert) {
    return Error::BadRequest("no revocation data for the certificate of signature '" + field + "' (" +
                             internal::NameToString(X509_get_subject_name(cert)) +
                             "): PAdES B-LT needs a CRL of its issuer (--crl) or an OCSP response "
                             "(--ocsp-response FILE, --ocsp-url URL)");
  }

  const DssSources& sources_;
  std::vector<X509Ptr> pool_;
  std::vector<std::string> crl_sources_, ocsp_sources_;
  std::map<std::string, std::optional<std::string>> fetched_;  // certificate DER -> usable response
  ValidationData data_;
};

}  // namespace

Result<ValidationData> CollectValidationData(QPDF& pdf, const DssSources& sources) {
  try {
    Result<ValidationData> data = Collector(sources).Run(pdf);
    ERR_clear_error();
    return data;
  } catch (const std::exception& e) {  // std::bad_alloc; qpdf on a damaged object
    ERR_clear_error();
    return Error::Unprocessable(std::string("cannot gather the validation data: ") + e.what());
  }
}

}  // namespace pactum::signing
