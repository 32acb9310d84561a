#include "crypto_test_util.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace pactum::signing::testing {

const std::string& PkiDir() {
  static const std::string dir = [] {
    const char* env = std::getenv("PACTUM_TEST_PKI");
    std::string d = env != nullptr && *env != '\0' ? env : PACTUM_TEST_PKI_DEFAULT;
    if (!std::filesystem::exists(d + "/stamp")) {
      const std::string cmd = std::string("bash '") + PACTUM_MAKE_PKI + "' '" + d + "'";
      if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << "cannot generate the test PKI: " << cmd;
    }
    return d;
  }();
  return dir;
}

std::string PkiFile(const std::string& name) { return PkiDir() + "/" + name; }

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

void WriteFileOrDie(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out) ADD_FAILURE() << "cannot write " << path;
}

internal::EvpPkeyPtr ReadPemKey(const std::string& path) {
  const std::string pem = ReadFileOrDie(path);
  internal::BioPtr bio = internal::MemoryBio(pem);
  return internal::EvpPkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

internal::X509Ptr ReadPemCert(const std::string& path) {
  const std::string pem = ReadFileOrDie(path);
  internal::BioPtr bio = internal::MemoryBio(pem);
  return internal::X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

namespace {

std::shared_ptr<const SigningKey> LoadOrFail(const std::string& name, const SigningConfig& config) {
  Result<std::shared_ptr<const SigningKey>> key = SigningKey::Load(config);
  if (!key.ok()) {
    ADD_FAILURE() << "cannot load " << name << ": " << key.error().message;
    return nullptr;
  }
  return *key;
}

}  // namespace

std::shared_ptr<const SigningKey> LoadP12(const std::string& name, const std::string& digest) {
  SigningConfig config;
  config.p12_file = PkiFile(name + ".p12");
  config.p12_password = ReadFileOrDie(PkiFile(name + ".p12.pass"));
  config.digest = digest;
  return LoadOrFail(name, config);
}

std::shared_ptr<const SigningKey> LoadPem(const std::string& name, const std::string& digest) {
  SigningConfig config;
  config.key_file = PkiFile(name + ".key");
  config.cert_file = PkiFile(name + "-chain.pem");
  config.digest = digest;
  return LoadOrFail(name, config);
}

std::string Der(CMS_ContentInfo* cms) {
  unsigned char* der = nullptr;
  const int len = i2d_CMS_ContentInfo(cms, &der);
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len > 0 ? len : 0));
  OPENSSL_free(der);
  return out;
}

internal::CmsPtr Parse(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  return internal::CmsPtr(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
}


std::shared_ptr<const TrustContext> RootTrust(const std::vector<std::string>& crl_names) {
  TrustConfig config;
  config.anchor_files = {PkiFile("root.pem")};
  for (const std::string& crl : crl_names) config.crl_files.push_back(PkiFile(crl));
  Result<std::shared_ptr<const TrustContext>> trust = TrustContext::Load(config);
  if (!trust.ok()) {
    ADD_FAILURE() << trust.error().message;
    return TrustContext::Empty();
  }
  return *trust;
}

SysSeconds Now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

CryptoInput InputFor(std::string_view contents, std::string_view data, CmsKind kind) {
  CryptoInput input;
  input.contents = contents;
  input.signed_data = {data};
  input.kind = kind;
  input.now = Now();
  return input;
}

std::string SignOrFail(const SigningKey& key, std::string_view data, const TimestampAuthority* tsa) {
  Result<std::string> cms = CreateCades(key, {data}, tsa);
  if (!cms.ok()) {
    ADD_FAILURE() << "CreateCades: " << cms.error().message;
    return "";
  }
  return *cms;
}

std::string Join(const std::vector<std::string>& list) {
  std::string out;
  for (const std::string& s : list) out += (out.empty() ? "" : ",") + s;
  return "[" + out + "]";
}

std::unique_ptr<TsaProcess> TsaProcess::Start(const std::string& mode) {
  int fds[2];
  if (pipe(fds) != 0) {
    ADD_FAILURE() << "pipe failed";
    return nullptr;
  }
  const std::string pki = PkiDir();
  const pid_t pid = fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork failed";
    return nullptr;
  }
  if (pid == 0) {
    // Dies with the test process, even when that one aborts (a sanitizer
    // report): an orphan server would keep ctest's output pipe open.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(PACTUM_PYTHON, PACTUM_PYTHON, PACTUM_TSA_SERVER, pki.c_str(), "0", "--mode", mode.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string line;
  char c;
  while (read(fds[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  close(fds[0]);
  int port = 0;
  if (std::sscanf(line.c_str(), "PORT %d", &port) != 1 || port <= 0) {
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
    ADD_FAILURE() << "tsa_server.py did not start: '" << line << "'";
    return nullptr;
  }
  return std::unique_ptr<TsaProcess>(new TsaProcess(pid, port));
}

TsaProcess::~TsaProcess() {
  kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
}

bool Run(const std::string& command) { return std::system(command.c_str()) == 0; }

std::string TempDir() {
  static std::mutex mu;
  static std::vector<std::string> made;
  static const struct Cleaner {
    ~Cleaner() {
      for (const std::string& d : made) std::filesystem::remove_all(d);
    }
  } cleaner;
  std::string pattern = (std::filesystem::temp_directory_path() / "pactum-crypto-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    return "/nonexistent";
  }
  std::lock_guard<std::mutex> lock(mu);
  made.push_back(pattern);
  return pattern;
}

}  // namespace pactum::signing::testing
