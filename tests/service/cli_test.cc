// The pactum binary as a subprocess: `pactum extract` and `pactum serve`
// (configuration from flags and environment, SIGTERM).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
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
using testutil::CorpusPath;
using testutil::ReadFile;
using testutil::TempPath;
using testutil::WaitUntil;
using testutil::WaitUntil;
using testutil::WriteFile;

// A child process running the pactum binary with `args`, stdout and stderr
// going to files, and `env` added to (or replacing in) this environment.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {})
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

TEST(CliTest, ExtractPrintsTheRecordOfABornDigitalPdf) {
  Child c({"extract", CorpusPath("seed-born-digital.pdf")});
  ASSERT_EQ(c.Wait(), 0) << c.Stderr();
  const json j = json::parse(c.Stdout(), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << c.Stdout();
  ASSERT_TRUE(j.contains("agreement"));
  EXPECT_EQ(j["document"]["media_type"], "application/pdf");
  EXPECT_EQ(j["document"]["pages"], 4);
  EXPECT_TRUE(c.Stderr().empty()) << c.Stderr();
}

TEST(CliTest, ExtractOfATextFileFailsWithTheErrorJson) {
  const std::string path = TempPath("agreement.txt");
  WriteFile(path, "This is a plain text file, not a PDF.\n");
  Child c({"extract", path});
  EXPECT_NE(c.Wait(), 0);
  EXPECT_TRUE(c.Stdout().empty()) << c.Stdout();
  const json j = json::parse(c.Stderr(), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << c.Stderr();
  EXPECT_EQ(j["error"]["code"], "unsupported_media_type");
  EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
  ::unlink(path.c_str());
}

TEST(CliTest, ExtractOfATruncatedPdfKeepsStderrToTheErrorJson) {
  // Poppler's complaints go to the log (quiet by default), not onto stderr.
  const std::string pdf = ReadFile(CorpusPath("seed-born-digital.pdf"));
  const std::string path = TempPath("truncated.pdf");
  WriteFile(path, pdf.substr(0, pdf.size() * 30 / 100));
  Child c({"extract", path});
  EXPECT_NE(c.Wait(), 0);
  const json j = json::parse(c.Stderr(), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << c.Stderr();
  EXPECT_EQ(j["error"]["code"], "unprocessable");
  ::unlink(path.c_str());
}

TEST(CliTest, ExtractRejectsABadOcrMode) {
  Child c({"extract", CorpusPath("seed-born-digital.pdf"), "--ocr", "sometimes"});
  EXPECT_NE(c.Wait(), 0);
  EXPECT_EQ(json::parse(c.Stderr(), nullptr, false)["error"]["code"], "bad_request") << c.Stderr();
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

TEST(CliTest, ServeRefusesAnInvalidPort) {
  Child c({"serve", "--port", "70000"});
  EXPECT_NE(c.Wait(), 0);
}

}  // namespace
}  // namespace pactum::service
