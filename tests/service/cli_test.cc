// The pactum binary as a subprocess: the document commands (one file, a
// batch, stdin; limits; exit status and messages), usage errors, version,
// health, and `pactum serve` (configuration from flags and environment,
// SIGTERM).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <sstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

extern char** environ;

namespace pactum::service {
namespace {

using json = nlohmann::json;
using testutil::BuildPdf;
using testutil::CorpusPath;
using testutil::FlateBomb;
using testutil::ReadFile;
using testutil::TempPath;
using testutil::WaitUntil;
using testutil::WriteFile;

using Clock = std::chrono::steady_clock;

// A child process running the pactum binary with `args`, stdout and stderr
// going to files, stdin from `stdin_path` (else /dev/null), and `env` added
// to (or replacing in) this environment.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
        const std::string& stdin_path = "/dev/null")
      : out_path_(TempPath("stdout")), err_path_(TempPath("stderr")) {
    std::vector<std::string> argv_s = {PACTUM_BINARY};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);

    std::vector<std::string> env_s;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string kv = *e;
      const std::string key = kv.substr(0, kv.find('='));
      if (env.count(key) == 0 && key.rfind("PACTUM_", 0) != 0) env_s.push_back(kv);
    }
    for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int rc = posix_spawn(&pid_, PACTUM_BINARY, &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "cannot start " << PACTUM_BINARY;
    if (rc != 0) pid_ = -1;
  }

  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
    ::unlink(out_path_.c_str());
    ::unlink(err_path_.c_str());
  }

  // Waits for the exit; the exit status, or -1 when killed by a signal.
  int Wait() {
    if (pid_ <= 0) return exit_;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_;
  }

  // Waits up to `limit` for the exit; false when the child still runs.
  bool WaitFor(std::chrono::milliseconds limit) {
    return WaitUntil(
        [&] {
          int status = 0;
          const pid_t r = ::waitpid(pid_, &status, WNOHANG);
          if (r != pid_) return false;
          pid_ = -1;
          exit_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
          return true;
        },
        limit);
  }

  void Signal(int sig) { ::kill(pid_, sig); }
  std::string Stdout() const { return ReadFile(out_path_); }
  std::string Stderr() const { return ReadFile(err_path_); }

  // For `pactum serve --port 0`: the port of the "listening on" log line.
  int AwaitListeningPort() {
    static const std::regex kListening(R"(listening on http://[^ ]*:(\d+) )");
    int port = -1;
    WaitUntil([&] {
      std::smatch m;
      const std::string log = Stderr();
      if (!std::regex_search(log, m, kListening)) return false;
      port = std::stoi(m[1]);
      return true;
    });
    return port;
  }

 private:
  std::string out_path_, err_path_;
  pid_t pid_ = -1;
  int exit_ = -1;
};

// A fresh directory in the test temp directory.
std::string TempDir(const std::string& name) {
  const std::string dir = TempPath(name);
  EXPECT_EQ(::mkdir(dir.c_str(), 0700), 0) << dir;
  return dir;
}

// The lines of `text`, each parsed as JSON.
std::vector<json> JsonLines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    out.push_back(json::parse(line, nullptr, false));
    EXPECT_FALSE(out.back().is_discarded()) << line;
  }
  return out;
}

// A loopback port nothing listens on (bound, then released).
int FreePort() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  EXPECT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ::close(s);
  return ntohs(a.sin_port);
}

// What no command-line message may say: the service's words.
void ExpectNoHttpWords(const std::string& text) {
  for (const char* word : {"upload", "/v1/", "query parameter", "send the", "Retry-After", "HTTP"}) {
    EXPECT_EQ(text.find(word), std::string::npos) << "'" << word << "' in: " << text;
  }
}

TEST(CliTest, ExtractPrintsTheRecordOfABornDigitalPdf) {
  Child c({"extract", CorpusPath("seed-born-digital.pdf")});
  ASSERT_EQ(c.Wait(), 0) << c.Stderr();
  const json j = json::parse(c.Stdout(), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << c.Stdout();
  ASSERT_TRUE(j.contains("agreement"));
  EXPECT_EQ(j["document"]["media_type"], "application/pdf");
  EXPECT_EQ(j["document"]["pages"], 4);
  EXPECT_EQ(j["document"]["file_name"], "seed-born-digital.pdf");  // the base name only
  EXPECT_NE(c.Stdout().find("\n  \"document\""), std::string::npos) << "not the pretty JSON";
  EXPECT_TRUE(c.Stderr().empty()) << c.Stderr();
}

TEST(CliTest, ExtractOfATextFileFailsInTheCliOwnWords) {
  const std::string path = TempPath("agreement.txt");
  WriteFile(path, "This is a plain text file, not a PDF.\n");
  Child c({"extract", path});
  EXPECT_EQ(c.Wait(), 2);
  EXPECT_TRUE(c.Stdout().empty()) << c.Stdout();
  // "pactum: FILE: MESSAGE (CODE)", one line.
  const std::string err = c.Stderr();
  EXPECT_EQ(err.rfind("pactum: " + path + ": not a PDF, PNG, JPEG or TIFF file", 0), 0u) << err;
  EXPECT_NE(err.find("(unsupported_media_type)\n"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  ExpectNoHttpWords(err);
  ::unlink(path.c_str());
}

TEST(CliTest, ExtractOfATruncatedPdfKeepsPopplerOffStderr) {
  // Poppler's complaints go to the log (quiet by default), not onto stderr.
  const std::string pdf = ReadFile(CorpusPath("seed-born-digital.pdf"));
  const std::string path = TempPath("truncated.pdf");
  WriteFile(path, pdf.substr(0, pdf.size() * 30 / 100));
  Child c({"extract", path});
  EXPECT_EQ(c.Wait(), 2);
  const std::string err = c.Stderr();
  EXPECT_EQ(err.rfind("pactum: " + path + ": ", 0), 0u) << err;
  EXPECT_NE(err.find("(unprocessable)\n"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  ::unlink(path.c_str());
}

TEST(CliTest, ExtractOfAMissingFileSaysSo) {
  Child c({"extract", "/nonexistent/agreement.pdf"});
  EXPECT_EQ(c.Wait(), 2);
  EXPECT_EQ(c.Stderr(), "pactum: /nonexistent/agreement.pdf: cannot read: No such file or directory (not_found)\n");
}

TEST(CliTest, ABombAsASingleFileFailsQuicklyAtTheStreamLimit) {
  const std::string path = TempPath("bomb.pdf");
  WriteFile(path, FlateBomb(std::size_t{10} << 20));
  const auto start = Clock::now();
  Child c({"extract", path, "--max-stream-bytes", "1MiB"});
  EXPECT_EQ(c.Wait(), 2);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(c.Stdout().empty()) << c.Stdout();
  EXPECT_NE(c.Stderr().find("decompresses to more than 1048576 bytes"), std::string::npos) << c.Stderr();
  EXPECT_NE(c.Stderr().find("(unprocessable)"), std::string::npos) << c.Stderr();
  ::unlink(path.c_str());
}

TEST(CliTest, BatchOverADirectoryPrintsJsonLinesInOrderAndASummary) {
  const std::string dir = TempDir("batch");
  WriteFile(dir + "/a-good.pdf", ReadFile(CorpusPath("c01-born-digital.pdf")));
  WriteFile(dir + "/b-text.txt", "not a document\n");
  WriteFile(dir + "/c-bomb.pdf", FlateBomb(std::size_t{10} << 20));
  WriteFile(dir + "/.hidden.pdf", ReadFile(CorpusPath("c01-born-digital.pdf")));  // skipped
  Child c({"extract", dir, "--max-stream-bytes", "1MiB"});
  EXPECT_EQ(c.Wait(), 2) << c.Stderr();
  const std::vector<json> lines = JsonLines(c.Stdout());
  ASSERT_EQ(lines.size(), 3u) << c.Stdout();
  EXPECT_EQ(lines[0]["path"], dir + "/a-good.pdf");
  EXPECT_EQ(lines[0]["record"]["document"]["file_name"], "a-good.pdf");
  EXPECT_TRUE(lines[0]["record"].contains("agreement"));
  EXPECT_EQ(lines[1]["path"], dir + "/b-text.txt");
  EXPECT_EQ(lines[1]["error"]["code"], "unsupported_media_type");
  EXPECT_EQ(lines[2]["path"], dir + "/c-bomb.pdf");
  EXPECT_EQ(lines[2]["error"]["code"], "unprocessable");
  EXPECT_FALSE(lines[2]["error"]["message"].get<std::string>().empty());
  const std::string err = c.Stderr();
  EXPECT_NE(err.find("pactum: 3 files: 1 extracted, 2 failed (unprocessable 1, unsupported_media_type 1) in "),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("pactum: " + dir + "/c-bomb.pdf: "), std::string::npos) << err;
  ExpectNoHttpWords(err);
  std::filesystem::remove_all(dir);
}

TEST(CliTest, BatchWithTwoJobsKeepsTheInputOrder) {
  const std::string good = CorpusPath("c01-born-digital.pdf");
  const std::string text = TempPath("text.txt");
  WriteFile(text, "not a document\n");
  Child c({"extract", "-j", "2", good, text, CorpusPath("b01-born-digital.pdf"), "/nonexistent.pdf", good});
  EXPECT_EQ(c.Wait(), 2) << c.Stderr();
  const std::vector<json> lines = JsonLines(c.Stdout());
  ASSERT_EQ(lines.size(), 5u) << c.Stdout();
  EXPECT_EQ(lines[0]["path"], good);
  EXPECT_TRUE(lines[0].contains("record"));
  EXPECT_EQ(lines[1]["error"]["code"], "unsupported_media_type");
  EXPECT_EQ(lines[2]["record"]["document"]["file_name"], "b01-born-digital.pdf");
  EXPECT_EQ(lines[3]["path"], "/nonexistent.pdf");
  EXPECT_EQ(lines[3]["error"]["code"], "not_found");
  EXPECT_TRUE(lines[4].contains("record"));
  EXPECT_NE(c.Stderr().find("pactum: 5 files: 3 extracted, 2 failed (not_found 1, unsupported_media_type 1) in "),
            std::string::npos)
      << c.Stderr();
  ::unlink(text.c_str());
}

TEST(CliTest, BatchOfGoodFilesExitsZero) {
  const std::string good = CorpusPath("c01-born-digital.pdf");
  Child c({"extract", good, good});
  EXPECT_EQ(c.Wait(), 0) << c.Stderr();
  EXPECT_EQ(JsonLines(c.Stdout()).size(), 2u);
  EXPECT_NE(c.Stderr().find("pactum: 2 files: 2 extracted in "), std::string::npos) << c.Stderr();
}

TEST(CliTest, ExtractReadsStdinForADash) {
  Child c({"extract", "-"}, {}, CorpusPath("seed-born-digital.pdf"));
  ASSERT_EQ(c.Wait(), 0) << c.Stderr();
  const json j = json::parse(c.Stdout(), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << c.Stdout();
  EXPECT_EQ(j["document"]["pages"], 4);
  EXPECT_FALSE(j["document"].contains("file_name"));  // stdin has no name
}

TEST(CliTest, StdinBeyondTheInputLimitIsTooLarge) {
  Child c({"extract", "-", "--max-upload-bytes", "1KiB"}, {}, CorpusPath("seed-born-digital.pdf"));
  EXPECT_EQ(c.Wait(), 2);
  EXPECT_EQ(c.Stderr().rfind("pactum: stdin: ", 0), 0u) << c.Stderr();
  EXPECT_NE(c.Stderr().find("(too_large)"), std::string::npos) << c.Stderr();
}

TEST(CliTest, VersionIsOneLine) {
  static const std::regex kVersion(R"(pactum \d+\.\d+\.\d+\n)");
  for (const char* arg : {"--version", "version"}) {
    Child c({arg});
    EXPECT_EQ(c.Wait(), 0);
    EXPECT_TRUE(std::regex_match(c.Stdout(), kVersion)) << c.Stdout();
  }
}

TEST(CliTest, ATypoedCommandIsAUsageErrorWithASuggestion) {
  Child c({"extrat", "a.pdf"});
  EXPECT_EQ(c.Wait(), 64);
  EXPECT_NE(c.Stderr().find("pactum: unknown command 'extrat'; did you mean 'extract'?"), std::string::npos)
      << c.Stderr();
  Child v({"verfy", "a.pdf"});
  EXPECT_EQ(v.Wait(), 64);
  EXPECT_NE(v.Stderr().find("did you mean 'verify'?"), std::string::npos) << v.Stderr();
}

TEST(CliTest, UsageErrorsExit64) {
  Child unknown({"extract", "--no-such-option", CorpusPath("seed-born-digital.pdf")});
  EXPECT_EQ(unknown.Wait(), 64);
  EXPECT_NE(unknown.Stderr().find("--no-such-option"), std::string::npos) << unknown.Stderr();
  Child missing({"extract"});
  EXPECT_EQ(missing.Wait(), 64);
  Child bad_value({"extract", CorpusPath("seed-born-digital.pdf"), "--ocr", "sometimes"});
  EXPECT_EQ(bad_value.Wait(), 64);
  Child nothing({});
  EXPECT_EQ(nothing.Wait(), 64);
  EXPECT_NE(nothing.Stderr().find("usage: pactum COMMAND"), std::string::npos) << nothing.Stderr();
}

TEST(CliTest, SignOptionsAreValidatedInOptionTerms) {
  Child c({"sign", CorpusPath("seed-born-digital.pdf"), "-o", TempPath("signed.pdf"), "--sign-key", "k.pem",
           "--sign-cert", "c.pem", "--page", "2"});
  EXPECT_EQ(c.Wait(), 64);
  EXPECT_NE(c.Stderr().find("--page needs --rect"), std::string::npos) << c.Stderr();
  ExpectNoHttpWords(c.Stderr());
}

TEST(CliTest, VerifyWithExitCodeExitsOneForAnUnsignedPdf) {
  Child c({"verify", "--exit-code", CorpusPath("c01-born-digital.pdf")});
  EXPECT_EQ(c.Wait(), 1) << c.Stderr();
  const json j = json::parse(c.Stdout(), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << c.Stdout();
  EXPECT_EQ(j["status"], "unsigned");
}

TEST(CliTest, VerifyExitsZeroWheneverItPrintsAReport) {
  // The contract's acceptance harness (corpus/signatures/peer-dev/run.py)
  // reads every verdict, valid or not, from exit status 0.
  Child c({"verify", CorpusPath("c01-born-digital.pdf")});
  EXPECT_EQ(c.Wait(), 0) << c.Stderr();
  EXPECT_EQ(json::parse(c.Stdout(), nullptr, false)["status"], "unsigned") << c.Stdout();
}

TEST(CliTest, VerifyExitsZeroForAValidSignature) {
  const std::string dir = std::string(PACTUM_CORPUS_DIR) + "/signatures/";
  Child c({"verify", "--exit-code", dir + "valid_adbe_rsa2048_sha256.pdf", "--trust-anchors",
           dir + "trust-root-ca.pem"});
  EXPECT_EQ(c.Wait(), 0) << c.Stderr();
  EXPECT_EQ(json::parse(c.Stdout(), nullptr, false)["status"], "valid") << c.Stdout();
}

// ---- verify as a gate: --require, --format (issue 12) ----------------------

std::string Signatures(const std::string& name) { return std::string(PACTUM_CORPUS_DIR) + "/signatures/" + name; }

// The exit status of `pactum verify FILE --require REQUIREMENT [more]`.
int RequireExit(const std::string& file, const std::string& requirement, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"verify", file, "--require", requirement};
  args.insert(args.end(), more.begin(), more.end());
  Child c(args);
  const int status = c.Wait();
  EXPECT_TRUE(c.Stderr().empty()) << c.Stderr();
  EXPECT_FALSE(json::parse(c.Stdout(), nullptr, false).is_discarded()) << c.Stdout();
  return status;
}

TEST(CliTest, RequireValidIsMetOnlyByAValidDocument) {
  const std::vector<std::string> anchors = {"--trust-anchors", Signatures("trust-root-ca.pem")};
  EXPECT_EQ(RequireExit(Signatures("valid_adbe_rsa2048_sha256.pdf"), "valid", anchors), 0);
  // Without anchors the same signature is indeterminate.
  EXPECT_EQ(RequireExit(Signatures("valid_adbe_rsa2048_sha256.pdf"), "valid"), 1);
  EXPECT_EQ(RequireExit(Signatures("digest_mismatch.pdf"), "valid", anchors), 1);
  EXPECT_EQ(RequireExit(Signatures("unsigned.pdf"), "valid", anchors), 1);
}

TEST(CliTest, RequireNotInvalidAcceptsIndeterminateButNotInvalidOrUnsigned) {
  const std::vector<std::string> anchors = {"--trust-anchors", Signatures("trust-root-ca.pem")};
  EXPECT_EQ(RequireExit(Signatures("valid_adbe_rsa2048_sha256.pdf"), "not-invalid", anchors), 0);
  EXPECT_EQ(RequireExit(Signatures("valid_adbe_rsa2048_sha256.pdf"), "not-invalid"), 0);  // indeterminate
  EXPECT_EQ(RequireExit(Signatures("digest_mismatch.pdf"), "not-invalid", anchors), 1);
  EXPECT_EQ(RequireExit(Signatures("unsigned.pdf"), "not-invalid", anchors), 1);
}

TEST(CliTest, WithoutRequireAnInvalidDocumentStillExitsZero) {
  Child c({"verify", Signatures("digest_mismatch.pdf")});
  EXPECT_EQ(c.Wait(), 0) << c.Stderr();
  EXPECT_EQ(json::parse(c.Stdout(), nullptr, false)["status"], "invalid") << c.Stdout();
}

TEST(CliTest, RequireOnAFileThatCannotBeVerifiedExitsTwoWithTheError) {
  const std::string text = TempPath("gate.txt");
  WriteFile(text, "plain text\n");
  for (const char* requirement : {"valid", "not-invalid"}) {
    Child not_pdf({"verify", text, "--require", requirement});
    EXPECT_EQ(not_pdf.Wait(), 2);
    EXPECT_TRUE(not_pdf.Stdout().empty()) << not_pdf.Stdout();
    EXPECT_NE(not_pdf.Stderr().find("pactum: " + text + ": "), std::string::npos) << not_pdf.Stderr();
    EXPECT_NE(not_pdf.Stderr().find("(unsupported_media_type)"), std::string::npos) << not_pdf.Stderr();
    Child missing({"verify", TempPath("no-such.pdf"), "--require", requirement, "--format", "text"});
    EXPECT_EQ(missing.Wait(), 2);
    EXPECT_TRUE(missing.Stdout().empty()) << missing.Stdout();
    EXPECT_NE(missing.Stderr().find("(not_found)"), std::string::npos) << missing.Stderr();
  }
  // A truncated PDF: a PDF header, nothing readable after it.
  const std::string truncated = TempPath("gate-truncated.pdf");
  WriteFile(truncated, ReadFile(Signatures("valid_adbe_rsa2048_sha256.pdf")).substr(0, 400));
  Child broken({"verify", truncated, "--require", "not-invalid"});
  EXPECT_EQ(broken.Wait(), 2) << broken.Stdout();
  EXPECT_NE(broken.Stderr().find("(unprocessable)"), std::string::npos) << broken.Stderr();
  ::unlink(text.c_str());
  ::unlink(truncated.c_str());
}

TEST(CliTest, RequireTakesOnlyItsTwoValuesAndExcludesExitCode) {
  Child bogus({"verify", Signatures("unsigned.pdf"), "--require", "trusted"});
  EXPECT_EQ(bogus.Wait(), 64);
  EXPECT_NE(bogus.Stderr().find("--require"), std::string::npos) << bogus.Stderr();
  Child both({"verify", Signatures("unsigned.pdf"), "--require", "not-invalid", "--exit-code"});
  EXPECT_EQ(both.Wait(), 64);
  EXPECT_NE(both.Stderr().find("excludes"), std::string::npos) << both.Stderr();
  Child format({"verify", Signatures("unsigned.pdf"), "--format", "yaml"});
  EXPECT_EQ(format.Wait(), 64);
}

TEST(CliTest, VerifyHelpDocumentsTheGateAndTheFormats) {
  Child c({"verify", "--help"});
  EXPECT_EQ(c.Wait(), 0);
  for (const char* word : {"--require", "valid|not-invalid", "--format", "json|text", "--exit-code is --require valid",
                           "2 when the file could not be verified"}) {
    EXPECT_NE(c.Stdout().find(word), std::string::npos) << word << " in:\n" << c.Stdout();
  }
}

TEST(CliTest, TextReportOfAValidSignatureSaysWhoWhenAndWhy) {
  const std::string file = Signatures("valid_adbe_rsa2048_sha256.pdf");
  Child c({"verify", file, "--format", "text", "--trust-anchors", Signatures("trust-root-ca.pem"), "--require",
           "valid"});
  EXPECT_EQ(c.Wait(), 0) << c.Stderr();
  const std::string out = c.Stdout();
  EXPECT_TRUE(json::parse(out, nullptr, false).is_discarded()) << "text, not JSON";
  for (const std::string& expected :
       {"File: " + file, std::string("Document: VALID (1 signature, "), std::string("Every signature is valid."),
        std::string("Signature 1 of 1: field \"Signature1\", approval signature"), std::string("Status:        VALID"),
        std::string("Signer:        CN=Erika Mustermann (RSA-2048)"), std::string("Signing time:  20"),
        std::string("as the signer states it"), std::string("not proven: the signature carries no time-stamp"),
        std::string("Integrity:     ok (sha256): the signed bytes are unchanged"),
        std::string("Trust:         trusted: the certificate chains to a configured trust anchor"),
        std::string("Changes:       none: the signature covers the whole file"),
        std::string("Why:           valid: the signed bytes are intact")}) {
    EXPECT_NE(out.find(expected), std::string::npos) << "'" << expected << "' in:\n" << out;
  }
  // Nothing follows the signed revision: the change analysis says so.
  EXPECT_NE(out.find("modification level: none"), std::string::npos) << out;
}

TEST(CliTest, TextReportOfAnInvalidSignatureExplainsItInSentences) {
  Child c({"verify", Signatures("digest_mismatch.pdf"), "--format", "text", "--trust-anchors",
           Signatures("trust-root-ca.pem"), "--require", "not-invalid"});
  EXPECT_EQ(c.Wait(), 1) << c.Stderr();
  const std::string out = c.Stdout();
  for (const char* expected :
       {"Document: INVALID", "Invalid because signature 1 is invalid.", "Status:        INVALID",
        "Integrity:     failed", "Why:           invalid: the signature does not vouch for this file.",
        "- The signed bytes differ from the bytes that were signed: the file was altered. [digest_mismatch]"}) {
    EXPECT_NE(out.find(expected), std::string::npos) << "'" << expected << "' in:\n" << out;
  }
}

TEST(CliTest, TextReportWithoutAnchorsSaysWhyTheSignatureIsIndeterminate) {
  Child c({"verify", Signatures("valid_cades_rsa2048_sha256.pdf"), "--format", "text"});
  EXPECT_EQ(c.Wait(), 0) << c.Stderr();
  const std::string out = c.Stdout();
  for (const char* expected :
       {"Document: INDETERMINATE", "No signature is invalid, but signature 1 cannot be confirmed as valid.",
        "Trust:         not established", "indeterminate: the signature itself holds",
        "- No trust anchors are configured (--trust-anchors), so no signer can be trusted. [no_trust_anchors]"}) {
    EXPECT_NE(out.find(expected), std::string::npos) << "'" << expected << "' in:\n" << out;
  }
}

TEST(CliTest, TextReportOfAnUnsignedDocument) {
  Child c({"verify", "-", "--format", "text"}, {}, Signatures("unsigned.pdf"));
  EXPECT_EQ(c.Wait(), 0) << c.Stderr();
  EXPECT_NE(c.Stdout().find("File: stdin\nDocument: UNSIGNED (0 signatures, 1 revision;"), std::string::npos)
      << c.Stdout();
  EXPECT_NE(c.Stdout().find("The document has no signatures."), std::string::npos) << c.Stdout();
}

TEST(CliTest, VerifyOfANonPdfExitsTwo) {
  const std::string path = TempPath("not.pdf");
  WriteFile(path, "plain text\n");
  Child c({"verify", path});
  EXPECT_EQ(c.Wait(), 2);
  EXPECT_TRUE(c.Stdout().empty());
  EXPECT_NE(c.Stderr().find("(unsupported_media_type)"), std::string::npos) << c.Stderr();
  ExpectNoHttpWords(c.Stderr());
  ::unlink(path.c_str());
}

TEST(CliTest, HealthWithNothingListeningExitsOne) {
  const int port = FreePort();
  const auto start = Clock::now();
  Child c({"health", "--url", "http://127.0.0.1:" + std::to_string(port) + "/readyz", "--timeout", "1"});
  EXPECT_EQ(c.Wait(), 1);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  EXPECT_NE(c.Stderr().find("cannot connect"), std::string::npos) << c.Stderr();
}

TEST(CliTest, HealthRefusesHttps) {
  Child c({"health", "--url", "https://127.0.0.1/readyz"});
  EXPECT_EQ(c.Wait(), 64);
  EXPECT_NE(c.Stderr().find("https:// is not supported"), std::string::npos) << c.Stderr();
}

TEST(CliTest, ServeAnswersAndStopsCleanlyOnSigterm) {
  Child c({"serve", "--port", "0", "--workers", "1"});
  const int port = c.AwaitListeningPort();
  ASSERT_GT(port, 0) << c.Stderr();
  httplib::Client http("127.0.0.1", port);
  auto r = http.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  c.Signal(SIGTERM);
  ASSERT_TRUE(c.WaitFor(std::chrono::seconds(15))) << "still running after SIGTERM";
  EXPECT_EQ(c.Wait(), 0) << c.Stderr();
  EXPECT_NE(c.Stderr().find(R"("method":"GET","path":"/healthz","status":200)"), std::string::npos)
      << "no access-log line:\n" << c.Stderr();
  // Every line on stderr is one JSON object.
  std::istringstream lines(c.Stderr());
  for (std::string line; std::getline(lines, line);) {
    EXPECT_FALSE(json::parse(line, nullptr, false).is_discarded()) << line;
  }
}

TEST(CliTest, SigtermFinishesTheRequestInFlightThenExitsZero) {
  Child c({"serve", "--port", "0", "--workers", "1"});
  const int port = c.AwaitListeningPort();
  ASSERT_GT(port, 0) << c.Stderr();
  // The OCR of a scan of several pages takes seconds; SIGTERM comes after
  // its first page.
  const std::string scan = ReadFile(CorpusPath("seed-scan-300-gray.pdf"));
  auto in_flight = std::async(std::launch::async, [&] {
    httplib::Client http("127.0.0.1", port);
    http.set_read_timeout(120);
    return http.Post("/v1/extract", scan, "application/pdf");
  });
  ASSERT_TRUE(WaitUntil([&] { return c.Stderr().find("page 1/") != std::string::npos; }, std::chrono::seconds(60)))
      << c.Stderr();
  c.Signal(SIGTERM);
  ASSERT_TRUE(WaitUntil([&] { return c.Stderr().find("SIGTERM received") != std::string::npos; })) << c.Stderr();
  // No new connections once the signal is taken.
  ASSERT_TRUE(WaitUntil([&] {
    httplib::Client late("127.0.0.1", port);
    late.set_connection_timeout(1);
    return !late.Get("/healthz");
  }));
  auto r = in_flight.get();
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200) << r->body;
  ASSERT_TRUE(c.WaitFor(std::chrono::seconds(30))) << "still running after SIGTERM";
  EXPECT_EQ(c.Wait(), 0) << c.Stderr();
}

TEST(CliTest, ServeTakesSettingsFromTheEnvironmentAndFlagsWin) {
  Child c({"serve", "--workers", "2"},
          {{"PACTUM_PORT", "0"}, {"PACTUM_WORKERS", "3"}, {"PACTUM_QUEUE", "7"}, {"PACTUM_TIMEOUT", "9"}});
  const int port = c.AwaitListeningPort();
  ASSERT_GT(port, 0) << c.Stderr();
  const std::string log = c.Stderr();
  EXPECT_NE(log.find("workers 2, queue 7,"), std::string::npos) << log;  // flag over PACTUM_WORKERS
  EXPECT_NE(log.find("timeout 9 s"), std::string::npos) << log;
  c.Signal(SIGINT);
  ASSERT_TRUE(c.WaitFor(std::chrono::seconds(15)));
  EXPECT_EQ(c.Wait(), 0);
}

TEST(CliTest, ServeAcceptsSizeSuffixesForTheUploadLimit) {
  Child c({"serve", "--port", "0", "--max-upload-bytes", "2MiB", "--workers", "1"});
  ASSERT_GT(c.AwaitListeningPort(), 0) << c.Stderr();
  EXPECT_NE(c.Stderr().find("upload limit 2097152 bytes"), std::string::npos) << c.Stderr();
  c.Signal(SIGTERM);
  ASSERT_TRUE(c.WaitFor(std::chrono::seconds(15)));
}

TEST(CliTest, ServeRefusesAnInvalidPortAsAUsageError) {
  Child c({"serve", "--port", "70000"});
  EXPECT_EQ(c.Wait(), 64);
  EXPECT_NE(c.Stderr().find("--port"), std::string::npos) << c.Stderr();
}

TEST(CliTest, HealthSaysReadyForARunningService) {
  Child serve({"serve", "--port", "0", "--workers", "1"});
  const int port = serve.AwaitListeningPort();
  ASSERT_GT(port, 0) << serve.Stderr();
  Child health({"health", "--url", "http://127.0.0.1:" + std::to_string(port) + "/readyz"});
  EXPECT_EQ(health.Wait(), 0) << health.Stderr();
  EXPECT_NE(health.Stdout().find("ready"), std::string::npos) << health.Stdout();
  // Anything but 200 is "not ready".
  Child missing({"health", "--url", "http://127.0.0.1:" + std::to_string(port) + "/no-such-path"});
  EXPECT_EQ(missing.Wait(), 1);
  EXPECT_NE(missing.Stderr().find("404"), std::string::npos) << missing.Stderr();
  serve.Signal(SIGTERM);
  ASSERT_TRUE(serve.WaitFor(std::chrono::seconds(15)));
}

TEST(CliTest, HealthTakesPactumPortFromTheEnvironment) {
  const int port = FreePort();
  Child c({"health"}, {{"PACTUM_PORT", std::to_string(port)}});
  EXPECT_EQ(c.Wait(), 1);
  EXPECT_NE(c.Stderr().find("http://127.0.0.1:" + std::to_string(port) + "/readyz"), std::string::npos)
      << c.Stderr();
}

}  // namespace
}  // namespace pactum::service
