// Helpers of the signature tests: files, the generated test PKI, signing a
// sample, and hand-written incremental updates (the attacker's tool).
#pragma once

#include <qpdf/QPDF.hh>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../crypto/crypto_test_util.h"
#include "pactum/signing/keys.h"
#include "pactum/signing/sign.h"
#include "pactum/signing/verify.h"

namespace pactum::signing::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

inline std::string Pki(const std::string& name) { return PkiFile(name); }

inline std::string Sample(const std::string& name) {
  return std::string(PACTUM_CORPUS_DIR) + "/signatures/" + name;
}

// The shared corpus's unsigned sample PDF.
inline std::string Unsigned() { return ReadFile(Sample("unsigned.pdf")); }

// Runs `cmd` under sh and returns its stdout (and its stderr unless
// `with_stderr` is false); *status is its exit code, -1 when a signal ended it.
inline std::string Shell(const std::string& cmd, int* status, bool with_stderr = true) {
  std::string out;
  FILE* p = popen((cmd + (with_stderr ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int st = pclose(p);
  *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

// The signer `name` of the test PKI (rsa2048, p256, expired, ...), from its PKCS#12.
inline std::shared_ptr<const SigningKey> Key(const std::string& name) { return LoadP12(name); }

inline std::shared_ptr<const TrustContext> Trust(std::vector<std::string> crls = {}) {
  TrustConfig c;
  c.anchor_files = {Pki("root.pem")};
  c.crl_files = std::move(crls);
  auto trust = LoadTrust(c);
  EXPECT_TRUE(trust.ok()) << (trust.ok() ? "" : trust.error().message);
  return trust.ok() ? *trust : nullptr;
}

inline VerifyReport MustVerify(const std::string& pdf, std::shared_ptr<const TrustContext> trust) {
  VerifyOptions o;
  o.trust = std::move(trust);
  auto r = Verify(pdf, o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : VerifyReport{};
}

inline std::string MustSign(const std::string& pdf, SignOptions o) {
  if (!o.key) o.key = Key("rsa2048");
  auto r = Sign(pdf, o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::string();
}

inline bool HasReason(const SignatureReport& s, const std::string& reason) {
  for (const auto& r : s.reasons) {
    if (r == reason) return true;
  }
  return false;
}

inline std::string Reasons(const VerifyReport& r) {
  std::string out = std::string(Name(r.status)) + ":";
  for (const auto& s : r.signatures) {
    out += " [" + s.field + " " + std::string(Name(s.status));
    for (const auto& reason : s.reasons) out += " " + reason;
    out += "]";
  }
  return out;
}

// The trailer facts an incremental update needs.
struct TrailerFacts {
  long long startxref = 0;
  long long size = 0;
  std::string root;  // "5 0 R"
};

inline TrailerFacts Facts(const std::string& pdf) {
  TrailerFacts f;
  size_t pos = pdf.rfind("startxref");
  f.startxref = std::atoll(pdf.c_str() + pos + 9);
  QPDF q;
  q.setSuppressWarnings(true);
  q.processMemoryFile("x", pdf.data(), pdf.size());
  f.size = q.getTrailer().getKey("/Size").getIntValue();
  f.root = q.getRoot().unparse();
  return f;
}

// Appends an incremental update with a classic xref section that (re)defines
// the objects given (number -> body between "obj" and "endobj").
inline std::string AppendUpdate(const std::string& pdf, const std::map<int, std::string>& objects,
                                const std::string& extra_trailer = "") {
  TrailerFacts f = Facts(pdf);
  std::string out = pdf;
  if (out.back() != '\n') out += '\n';
  std::map<int, size_t> offsets;
  long long size = f.size;
  for (const auto& [num, body] : objects) {
    offsets[num] = out.size();
    out += std::to_string(num) + " 0 obj\n" + body + "\nendobj\n";
    size = std::max<long long>(size, num + 1);
  }
  size_t xref = out.size();
  out += "xref\n";
  for (const auto& [num, off] : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n\r\n", off);
    out += std::to_string(num) + " 1\n" + line;
  }
  out += "trailer\n<< /Size " + std::to_string(size) + " /Root " + f.root + " /Prev " +
         std::to_string(f.startxref) + " " + extra_trailer + " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return out;
}

// The body of object `num` as the file's current revision defines it.
inline std::string ObjectBody(const std::string& pdf, int num) {
  QPDF q;
  q.setSuppressWarnings(true);
  q.processMemoryFile("x", pdf.data(), pdf.size());
  return q.getObject(num, 0).unparseResolved();
}

inline std::string Stream(const std::string& dict_extra, const std::string& data) {
  return "<< " + dict_extra + " /Length " + std::to_string(data.size()) + " >>\nstream\n" + data + "\nendstream";
}

}  // namespace pactum::signing::testing
