// Helpers of the crypto layer tests: the test PKI (tests/signing/pki), keys,
// trust contexts, signing and checking in one call, and a TSA subprocess.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crypto.h"
#include "openssl_util.h"

namespace pactum::signing::testing {

// The directory of the generated PKI: $PACTUM_TEST_PKI, else the build
// tree's default, generated on first use when missing.
const std::string& PkiDir();
std::string PkiFile(const std::string& name);

std::string ReadFileOrDie(const std::string& path);
void WriteFileOrDie(const std::string& path, std::string_view data);

// The first private key / certificate of the PEM file at `path` (null when
// there is none).
internal::EvpPkeyPtr ReadPemKey(const std::string& path);
internal::X509Ptr ReadPemCert(const std::string& path);

// A signer of the PKI ("rsa2048", "p256", ...) from its PKCS#12 file, or
// from its PEM key and chain.
std::shared_ptr<const SigningKey> LoadP12(const std::string& name, const std::string& digest = "sha256");
std::shared_ptr<const SigningKey> LoadPem(const std::string& name, const std::string& digest = "sha256");

// Anchors: root.pem, plus the given CRL files (names in the PKI).
std::shared_ptr<const TrustContext> RootTrust(const std::vector<std::string>& crl_names = {});

SysSeconds Now();

// A CryptoInput over `data` as one range, validated now.
CryptoInput InputFor(std::string_view contents, std::string_view data, CmsKind kind = CmsKind::kDetached);

// CreateCades over `data`; fails the test (and returns "") on error.
std::string SignOrFail(const SigningKey& key, std::string_view data, const TimestampAuthority* tsa = nullptr);

inline bool Has(const std::vector<std::string>& list, std::string_view code) {
  return std::find(list.begin(), list.end(), code) != list.end();
}

std::string Join(const std::vector<std::string>& list);

// DER of a CMS, and a CMS parsed from DER (null when it does not parse).
std::string Der(CMS_ContentInfo* cms);
internal::CmsPtr Parse(const std::string& der);

// tsa_server.py as a child process on a free loopback port; killed by the
// destructor.
class TsaProcess {
 public:
  // mode: see tsa_server.py ("ok", "http500", "garbage", "reject", "slow").
  // Null (and a test failure) when it cannot start.
  static std::unique_ptr<TsaProcess> Start(const std::string& mode = "ok");
  ~TsaProcess();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/tsa"; }

 private:
  TsaProcess(pid_t pid, int port) : pid_(pid), port_(port) {}
  pid_t pid_;
  int port_;
};

// Runs a shell command; true when it exits 0.
bool Run(const std::string& command);

// A fresh empty directory under the system temp dir, removed at exit.
std::string TempDir();

}  // namespace pactum::signing::testing
