// The pactum binary as a subprocess: the document commands (one file, a
// batch, stdin; limits; exit status and messages), usage errors, version,
// health, and `pactum serve` (configuration from flags and environment,
// SIGTERM).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>
#include <sstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "test_util.h"

namespace pactum::service {
namespace {

using json = nlohmann::json;
using testutil::Child;
using testutil::BuildPdf;
using testutil::CorpusPath;
using testutil::FlateBomb;
using testutil::ReadFile;
using testutil::TempPath;
using testutil::WaitUntil;
using testutil::WriteFile;

using Clock = std::chrono::steady_clock;


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

TEST(CliTest, ExtractWithTextAddsTheFullTextOnePagePerFormFeed) {
  Child plain({"extract", CorpusPath("seed-born-digital.pdf")});
  ASSERT_EQ(plain.Wait(), 0) << plain.Stderr();
  EXPECT_FALSE(json::parse(plain.Stdout())["document"].contains("text"));
  Child c({"extract", "--text", CorpusPath("seed-born-digital.pdf")});
  ASSERT_EQ(c.Wait(), 0) << c.Stderr();
  const json j = json::parse(c.Stdout(), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << c.Stdout();
  const std::string text = j["document"].value("text", "");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\f'), 3) << "4 pages";
  EXPECT_EQ(text.rfind("Zielvereinbarung\n", 0), 0u) << text.substr(0, 80);  // the title's line first
  json without = j;
  without["document"].erase("text");
  EXPECT_EQ(without, json::parse(plain.Stdout()));
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

// ---- the progress bar ------------------------------------------------------

// What a run of the pactum binary showed on a terminal: stdin and stderr on
// a pseudo-terminal of 100 columns, stdout to a file.
struct TerminalRun {
  int exit = -1;
  std::string terminal;  // every byte written to the terminal
  std::string out;       // stdout
};

TerminalRun RunOnATerminal(const std::vector<std::string>& args) {
  TerminalRun run;
  const std::string out_path = TempPath("tty-stdout");
  std::vector<std::string> argv_s = {PACTUM_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s = {"TERM=xterm"};
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv = *e;
    if (kv.rfind("PACTUM_", 0) != 0 && kv.rfind("TERM=", 0) != 0) env_s.push_back(kv);
  }
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  winsize ws{};
  ws.ws_col = 100;
  ws.ws_row = 30;
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
  if (pid == 0) {  // only async-signal-safe calls until exec
    const int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ::dup2(fd, STDOUT_FILENO) < 0) ::_exit(127);
    ::execve(PACTUM_BINARY, argv.data(), envp.data());
    ::_exit(127);
  }
  EXPECT_GT(pid, 0) << "forkpty: " << std::strerror(errno);
  if (pid <= 0) return run;
  // Until the child has exited and the terminal is closed (EIO), at most 2 min.
  const auto until = Clock::now() + std::chrono::minutes(2);
  char buf[4096];
  for (;;) {
    pollfd p{master, POLLIN, 0};
    const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count());
    const int ready = ::poll(&p, 1, std::max(0, left));
    if (ready == 0) {
      ADD_FAILURE() << "the command did not finish";
      ::kill(pid, SIGKILL);
      break;
    }
    if (ready < 0 && errno == EINTR) continue;
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    run.terminal.append(buf, static_cast<std::size_t>(n));
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  run.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = ReadFile(out_path);
  ::unlink(out_path.c_str());
  return run;
}

TEST(CliTest, ExtractShowsAProgressBarOnATerminalAndLogLinesAboveIt) {
  const TerminalRun run =
      RunOnATerminal({"extract", CorpusPath("seed-scan-300-gray.pdf"), "--log-level", "info"});
  ASSERT_EQ(run.exit, 0) << run.terminal;
  const json j = json::parse(run.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << run.out;
  EXPECT_EQ(j["document"]["pages"], 4);
  // Each page's count, the percentage, the elapsed time and the file.
  for (int k = 1; k <= 4; ++k) {
    EXPECT_NE(run.terminal.find("page " + std::to_string(k) + " of 4 ["), std::string::npos) << k << run.terminal;
  }
  EXPECT_TRUE(std::regex_search(run.terminal, std::regex(R"(page 4 of 4 \[=+\] 100%  \d+:\d\d  seed-scan-300-gray\.pdf)")))
      << run.terminal;
  // Erased at the end: the last bytes take the line back.
  ASSERT_GE(run.terminal.size(), 4u);
  EXPECT_EQ(run.terminal.substr(run.terminal.size() - 4), "\r\x1b[K");
  // Every log line is whole, on a line of its own: whatever the bar drew
  // before it on that line was erased first.
  int page_lines = 0;
  std::istringstream in(run.terminal);
  for (std::string line; std::getline(in, line);) {
    const std::size_t at = line.find("{\"time\"");
    if (at == std::string::npos) continue;
    const std::string before = line.substr(0, at);
    EXPECT_TRUE(before.empty() || (before.size() >= 4 && before.substr(before.size() - 4) == "\r\x1b[K"))
        << "garbled: " << line;
    std::string text = line.substr(at);
    if (!text.empty() && text.back() == '\r') text.pop_back();
    const json entry = json::parse(text, nullptr, false);
    ASSERT_FALSE(entry.is_discarded()) << "garbled: " << line;
    if (entry.value("message", "").rfind("page ", 0) == 0) ++page_lines;
  }
  EXPECT_EQ(page_lines, 4) << run.terminal;
}

TEST(CliTest, NoProgressBarWhenStderrIsNotATerminalOrWithNoProgress) {
  // A scan takes seconds: long enough for a bar to be drawn.
  Child piped({"extract", CorpusPath("b02-scan-300-gray.pdf")});
  ASSERT_EQ(piped.Wait(), 0) << piped.Stderr();
  EXPECT_TRUE(piped.Stderr().empty()) << piped.Stderr();
  EXPECT_FALSE(json::parse(piped.Stdout(), nullptr, false).is_discarded());

  const TerminalRun quiet = RunOnATerminal({"extract", "--no-progress", CorpusPath("b02-scan-300-gray.pdf")});
  ASSERT_EQ(quiet.exit, 0) << quiet.terminal;
  EXPECT_TRUE(quiet.terminal.empty()) << quiet.terminal;
  EXPECT_EQ(json::parse(quiet.out, nullptr, false)["document"]["pages"], 1);
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

// Kubernetes sets PACTUM_PORT=tcp://IP:PORT for a Service named pactum: a
// variable of `serve` must not break the other commands nor the workers.
TEST(CliTest, AnotherCommandsEnvironmentBreaksNeitherTheCommandNorTheWorkers) {
  const std::map<std::string, std::string> env = {{"PACTUM_PORT", "tcp://10.0.0.1:8080"}, {"PACTUM_WORKERS", "many"}};
  Child extract({"extract", "--ocr", "never", CorpusPath("seed-born-digital.pdf")}, env);
  EXPECT_EQ(extract.Wait(), 0) << extract.Stderr();
  Child serve({"serve", "--port", "0", "--workers", "1", "--store", "none"}, {{"PACTUM_PORT", "tcp://10.0.0.1:8080"}});
  const int port = serve.AwaitListeningPort();
  ASSERT_GT(port, 0) << serve.Stderr();
  httplib::Client http("127.0.0.1", port);
  auto ready = http.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;  // its worker started
  serve.Signal(SIGTERM);
  EXPECT_TRUE(serve.WaitFor(std::chrono::seconds(15)));
  // The command's own variable is still checked.
  Child bad({"serve", "--store", "none"}, {{"PACTUM_PORT", "70000"}});
  EXPECT_EQ(bad.Wait(), 64);
  EXPECT_NE(bad.Stderr().find("--port"), std::string::npos) << bad.Stderr();
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

TEST(CliTest, ServeRefusesABadCallbackSecretFile) {
  const std::string missing = TempPath("missing-secret");
  Child c({"serve", "--port", "0", "--workers", "1", "--callback-allow", "127.0.0.1", "--callback-secret-file",
           missing});
  EXPECT_EQ(c.Wait(), 2);
  EXPECT_NE(c.Stderr().find("cannot read the callback secret file " + missing), std::string::npos) << c.Stderr();
  // The same from the environment, with an empty file.
  const std::string empty = TempPath("empty-secret");
  WriteFile(empty, "\n");
  Child e({"serve", "--port", "0", "--workers", "1"},
          {{"PACTUM_CALLBACK_ALLOW", "127.0.0.1"}, {"PACTUM_CALLBACK_SECRET_FILE", empty}});
  EXPECT_EQ(e.Wait(), 2);
  EXPECT_NE(e.Stderr().find("the callback secret file " + empty + " is empty"), std::string::npos) << e.Stderr();
}

TEST(CliTest, ServeRefusesAMalformedCallbackAllowEntryAsAUsageError) {
  Child c({"serve", "--port", "0", "--callback-allow", "hooks.example.org,10.0.0.1/8"});
  EXPECT_EQ(c.Wait(), 64);
  EXPECT_NE(c.Stderr().find("--callback-allow entry '10.0.0.1/8' has bits set after its prefix; did you mean "
                            "10.0.0.0/8?"),
            std::string::npos)
      << c.Stderr();
}

TEST(CliTest, ServeWarnsThatCallbacksWithoutASecretGoUnsigned) {
  Child c({"serve", "--port", "0", "--workers", "1"}, {{"PACTUM_CALLBACK_ALLOW", "127.0.0.1,*.example.org"}});
  ASSERT_GT(c.AwaitListeningPort(), 0) << c.Stderr();
  EXPECT_NE(c.Stderr().find("callbacks: 2 allow-list entries, unsigned"), std::string::npos) << c.Stderr();
  EXPECT_NE(c.Stderr().find("without --callback-secret-file: they are sent unsigned"), std::string::npos)
      << c.Stderr();
  c.Signal(SIGTERM);
  ASSERT_TRUE(c.WaitFor(std::chrono::seconds(15)));
  EXPECT_EQ(c.Wait(), 0) << c.Stderr();
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
