// The pactum binary as a child process, for the tests of the CLI and of
// `pactum serve` replicas.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "test_util.h"

extern char** environ;

namespace pactum::service::testutil {

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

}  // namespace pactum::service::testutil
