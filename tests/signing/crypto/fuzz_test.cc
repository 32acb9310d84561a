// Mutated CMS blobs through CheckSignature: whatever the bytes, it returns a
// result (run under -DPACTUM_SANITIZE=ON to catch memory errors and leaks).
// Deterministic: a fixed seed, so a failure reproduces.

#include <gtest/gtest.h>
#include <openssl/cms.h>

#include <algorithm>
#include <cstdlib>
#include <random>

#include "crypto.h"
#include "crypto_test_util.h"
#include "openssl_util.h"

namespace pactum::signing {
namespace {

using testing::InputFor;

const std::string kFuzzData = "fuzzed signature over these bytes";

// One mutation of `in`: bit flips, truncation, DER length edits, byte
// insertion/removal, chunk duplication.
std::string Mutate(const std::string& in, std::mt19937& rng) {
  std::string s = in;
  if (s.empty()) return s;
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  switch (rng() % 7) {
    case 0:  // a few bit flips
      for (int i = 0, n = 1 + static_cast<int>(rng() % 4); i < n; ++i)
        s[pick(s.size())] ^= static_cast<char>(1u << (rng() % 8));
      break;
    case 1:  // truncation
      s.resize(pick(s.size()));
      break;
    case 2: {  // a length byte after a constructed tag
      for (int tries = 0; s.size() >= 2 && tries < 64; ++tries) {
        const size_t i = pick(s.size() - 1);
        const auto tag = static_cast<unsigned char>(s[i]);
        if (tag == 0x30 || tag == 0x31 || tag == 0xa0 || tag == 0x04 || tag == 0x02) {
          static const unsigned char kLengths[] = {0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x84, 0x88, 0xff};
          s[i + 1] = static_cast<char>(kLengths[rng() % sizeof(kLengths)]);
          break;
        }
      }
      break;
    }
    case 3: {  // long-form length bytes set to extremes
      for (int tries = 0; s.size() >= 4 && tries < 64; ++tries) {
        const size_t i = pick(s.size() - 3);
        if (static_cast<unsigned char>(s[i]) == 0x82) {
          s[i + 1] = static_cast<char>(rng() % 2 ? 0xff : 0x00);
          s[i + 2] = static_cast<char>(rng() % 256);
          break;
        }
      }
      break;
    }
    case 4:  // insertion
      s.insert(pick(s.size()), std::string(1 + pick(8), static_cast<char>(rng() % 256)));
      break;
    case 5: {  // removal
      const size_t at = pick(s.size());
      s.erase(at, 1 + pick(16));
      break;
    }
    default: {  // a chunk duplicated elsewhere
      const size_t from = pick(s.size());
      const std::string chunk = s.substr(from, 1 + pick(64));
      s.insert(pick(s.size()), chunk);
      break;
    }
  }
  return s;
}

std::string Sha1NoAttributesCms() {
  const std::string pki = testing::PkiDir();
  const std::string dir = testing::TempDir();
  testing::WriteFileOrDie(dir + "/data", kFuzzData);
  // adbe.pkcs7.sha1 style: eContent = SHA-1 of the data, no signed attributes.
  const std::string cmd = "openssl dgst -sha1 -binary '" + dir + "/data' > '" + dir + "/hash' && " +
                          "openssl cms -sign -binary -nodetach -noattr -outform DER -in '" + dir +
                          "/hash' -signer '" + pki + "/rsa2048.pem' -inkey '" + pki +
                          "/rsa2048.key' -certfile '" + pki + "/intermediate.pem' -out '" + dir +
                          "/cms.der' 2>/dev/null";
  EXPECT_TRUE(testing::Run(cmd));
  return testing::ReadFileOrDie(dir + "/cms.der");
}

TEST(Fuzz, MutatedCmsNeverCrashes) {
  std::vector<std::pair<std::string, CmsKind>> seeds;
  auto p256 = testing::LoadP12("p256");
  auto rsa = testing::LoadP12("rsapss");
  ASSERT_TRUE(p256 && rsa);
  auto tsa = testing::TsaProcess::Start();
  ASSERT_TRUE(tsa);
  TimestampAuthority authority;
  authority.url = tsa->url();
  seeds.emplace_back(testing::SignOrFail(*p256, kFuzzData, &authority), CmsKind::kDetached);
  seeds.emplace_back(testing::SignOrFail(*rsa, kFuzzData), CmsKind::kDetached);
  seeds.emplace_back(Sha1NoAttributesCms(), CmsKind::kSha1);
  {
    // The timestamp token of the first seed, as a document timestamp.
    const std::string& der = seeds[0].first;
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    internal::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    ASSERT_TRUE(cms);
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms.get()), 0);
    const ASN1_TYPE* t = X509_ATTRIBUTE_get0_type(
        CMS_unsigned_get_attr(si, CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1)), 0);
    ASSERT_NE(t, nullptr);
    seeds.emplace_back(std::string(reinterpret_cast<const char*>(t->value.sequence->data),
                                   static_cast<size_t>(t->value.sequence->length)),
                       CmsKind::kTimestampToken);
  }
  for (const auto& seed : seeds) ASSERT_FALSE(seed.first.empty());

  const auto trust = testing::RootTrust({"intermediate.crl.der"});
  std::mt19937 rng(20251125);
  const CmsKind kinds[] = {CmsKind::kDetached, CmsKind::kSha1, CmsKind::kTimestampToken};
  int valid = 0;
  // PACTUM_FUZZ_ROUNDS runs longer campaigns by hand.
  const char* env_rounds = std::getenv("PACTUM_FUZZ_ROUNDS");
  const int rounds = env_rounds != nullptr ? std::max(1, std::atoi(env_rounds)) : 3000;
  for (int i = 0; i < rounds; ++i) {
    const auto& [seed, seed_kind] = seeds[static_cast<size_t>(i) % seeds.size()];
    std::string blob = Mutate(seed, rng);
    if (rng() % 4 == 0) blob = Mutate(blob, rng);
    const CmsKind kind = rng() % 5 == 0 ? kinds[rng() % 3] : seed_kind;
    const CryptoResult r = CheckSignature(InputFor(blob, kFuzzData, kind), *trust);
    // Every failure names a reason; success has none.
    EXPECT_EQ(r.integrity_ok, r.integrity_reasons.empty()) << "round " << i;
    if (r.integrity_ok) ++valid;
  }
  // Some mutations hit unsigned parts (certificates are not signed, nor is the
  // timestamp attribute), but most must fail.
  EXPECT_LT(valid, rounds / 2);
}

}  // namespace
}  // namespace pactum::signing
