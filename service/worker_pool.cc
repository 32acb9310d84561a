#include "worker_pool.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "worker_main.h"

extern char** environ;

namespace pactum::service {
namespace {

using Clock = std::chrono::steady_clock;

// How long a starting worker may take to load its configuration.
constexpr std::chrono::seconds kStartTimeout{60};

}  // namespace

const char* WorkerExitName(WorkerExit cause) {
  switch (cause) {
    case WorkerExit::kCrash: return "crash";
    case WorkerExit::kTimeout: return "timeout";
    case WorkerExit::kMemory: return "memory";
    case WorkerExit::kCpu: return "cpu";
    case WorkerExit::kRecycle: return "recycle";
    case WorkerExit::kCancel: return "cancel";
  }
  return "crash";
}

// One worker process and the parent's end of its channel.
struct WorkerPool::Process {
  pid_t pid = -1;
  int fd = -1;
  int documents = 0;
  bool reaped = false;
  int wait_status = 0;

  ~Process() {
    Kill();
    if (fd >= 0) ::close(fd);
  }

  // Waits for the process to exit, for up to `limit`; true when it did.
  bool Reap(std::chrono::milliseconds limit) {
    if (reaped || pid <= 0) return true;
    const auto until = Clock::now() + limit;
    for (;;) {
      const pid_t r = ::waitpid(pid, &wait_status, WNOHANG);
      if (r == pid || (r < 0 && errno == ECHILD)) {
        reaped = true;
        return true;
      }
      if (Clock::now() >= until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  // True when the process has exited (reaping it); never waits.
  bool Exited() {
    if (reaped || pid <= 0) return true;
    const pid_t r = ::waitpid(pid, &wait_status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) reaped = true;
    return reaped;
  }

  void Kill() {
    if (reaped || pid <= 0) return;
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
    }
    reaped = true;
  }

  // Closes the channel (the worker exits on EOF) and reaps it.
  void Close(std::chrono::milliseconds patience) {
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
    if (!Reap(patience)) Kill();
  }
};

Result<std::unique_ptr<WorkerPool::Process>> WorkerPool::Spawn(const WorkerPoolOptions& options) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return Error::Internal(std::string("cannot create a worker channel: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, 2, 1);  // stray prints of the libraries go to the log
  posix_spawn_file_actions_adddup2(&actions, fds[1], kWorkerChannelFd);
  // Nothing else of the parent (listening socket, client connections).
  posix_spawn_file_actions_addclosefrom_np(&actions, kWorkerChannelFd + 1);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all_default;
  sigemptyset(&none);
  sigemptyset(&all_default);
  for (int s : {SIGPIPE, SIGTERM, SIGINT, SIGXCPU}) sigaddset(&all_default, s);
  posix_spawnattr_setsigmask(&attr, &none);  // the parent blocks SIGTERM for sigwait
  posix_spawnattr_setsigdefault(&attr, &all_default);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::string arg0 = options.binary, arg1 = "worker";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, options.binary.c_str(), &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return Error::Internal("cannot start the worker " + options.binary + ": " + std::strerror(rc));
  }
  auto p = std::make_unique<WorkerPool::Process>();
  p->pid = pid;
  p->fd = fds[0];

  // Configuration in, "ready" (or the configuration's error) out.
  const Deadline until = Clock::now() + kStartTimeout;
  std::string header, body;
  if (WriteMessage(p->fd, EncodeConfig(options.config), "", until) ||
      ReadMessage(p->fd, &header, &body, until)) {
    p->Close(std::chrono::milliseconds(200));
    return Error::Internal("the worker process " + options.binary + " did not start (exit status " +
                           std::to_string(p->wait_status) + ")");
  }
  Result<WorkerReply> ready = DecodeReply(header, std::move(body), Operation::kSign);
  if (!ready.ok()) return ready.error();
  if (!ready->output.ok()) return ready->output.error();  // e.g. an unreadable key file
  return p;
}

WorkerPool::WorkerPool(WorkerPoolOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<WorkerPool>> WorkerPool::Start(WorkerPoolOptions options) {
  std::unique_ptr<WorkerPool> pool(new WorkerPool(std::move(options)));
  for (int i = 0; i < pool->options_.size; ++i) {
    Result<std::unique_ptr<Process>> p = Spawn(pool->options_);
    if (!p.ok()) return p.error();  // the pool's destructor ends the others
    MutexLock lock(&pool->mu_);
    pool->idle_.push_back(std::move(*p));
  }
  pool->supervisor_ = std::thread([raw = pool.get()] { raw->SupervisorLoop(); });
  return pool;
}

WorkerPool::~WorkerPool() { Shutdown(); }

int WorkerPool::size() const { return options_.size; }

std::vector<pid_t> WorkerPool::Pids() const {
  MutexLock lock(&mu_);
  std::vector<pid_t> pids = busy_pids_;
  for (const auto& p : idle_) pids.push_back(p->pid);
  std::sort(pids.begin(), pids.end());
  return pids;
}

void WorkerPool::Replace(std::unique_ptr<Process> old, WorkerExit cause) {
  if (options_.on_replace) options_.on_replace(cause);
  {
    MutexLock lock(&mu_);
    to_replace_.push_back(std::move(old));
  }
  supervisor_cv_.Signal();
}

// Ends the processes handed over in to_replace_ and starts their
// successors; retries slots whose start failed.
void WorkerPool::SupervisorLoop() {
  mu_.Lock();
  for (;;) {
    if (!shutting_down_ && to_replace_.empty() && missing_ == 0) {
      supervisor_cv_.WaitUntil(&mu_, Clock::now() + std::chrono::seconds(1));
    }
    if (shutting_down_) break;
    ReplaceExitedIdleWorkers();
    if (to_replace_.empty() && missing_ == 0) continue;
    std::unique_ptr<Process> old;
    if (!to_replace_.empty()) {
      old = std::move(to_replace_.front());
      to_replace_.pop_front();
    } else {
      --missing_;
    }
    mu_.Unlock();
    if (old) old->Close(std::chrono::milliseconds(2000));
    old.reset();
    Result<std::unique_ptr<Process>> fresh = Spawn(options_);
    if (!fresh.ok()) spdlog::error("a worker could not be started: {}", fresh.error().message);
    mu_.Lock();
    if (fresh.ok()) {
      idle_.push_back(std::move(*fresh));
      idle_cv_.Signal();
    } else {
      ++missing_;
      if (!shutting_down_) supervisor_cv_.WaitUntil(&mu_, Clock::now() + std::chrono::seconds(1));
    }
  }
  mu_.Unlock();
}

// REQUIRES: mu_ held. Idle workers that exited (killed from outside, or
// died on their own) go to the supervisor for replacement.
void WorkerPool::ReplaceExitedIdleWorkers() {
  for (auto it = idle_.begin(); it != idle_.end();) {
    if (!(*it)->Exited()) {
      ++it;
      continue;
    }
    spdlog::warn("worker {} exited while idle (status {}); replacing it", (*it)->pid, (*it)->wait_status);
    if (options_.on_replace) options_.on_replace(WorkerExit::kCrash);
    to_replace_.push_back(std::move(*it));
    it = idle_.erase(it);
  }
}

int WorkerPool::Alive() const {
  MutexLock lock(&mu_);
  int alive = static_cast<int>(busy_pids_.size());
  for (const auto& p : idle_) {
    if (!p->Exited()) ++alive;
  }
  return alive;
}

WorkerReply WorkerPool::Run(const WorkerRequest& request, const std::string& document, Deadline deadline,
                            const RunControl& control) {
  // A worker that died while idle has not seen the document: the document
  // goes to another one. Only a worker that took the request and then died
  // is the document's fault.
  for (int attempt = 0;; ++attempt) {
    bool lost_before_start = false;
    WorkerReply reply = RunOnce(request, document, deadline, control, &lost_before_start);
    if (!lost_before_start || attempt >= 2) return reply;
  }
}

WorkerReply WorkerPool::RunOnce(const WorkerRequest& request, const std::string& document, Deadline deadline,
                                const RunControl& control, bool* lost_before_start) {
  if (Clock::now() >= deadline) {
    WorkerReply r;
    r.output = Error::Timeout("the time limit per document passed before a worker was free");
    return r;
  }
  std::unique_ptr<Process> p;
  for (;;) {
    if (control.cancelled && control.cancelled()) {
      WorkerReply r;
      r.output = Error::Cancelled();
      return r;
    }
    // Waits in slices of kCancelPoll when there is a cancellation to poll
    // (outside the lock: it is the caller's code).
    const Deadline slice = control.cancelled ? std::min(deadline, Clock::now() + kCancelPoll) : deadline;
    MutexLock lock(&mu_);
    while (!shutting_down_ && idle_.empty() && idle_cv_.WaitUntil(&mu_, slice)) {
    }
    if (!shutting_down_ && idle_.empty() && Clock::now() < deadline) continue;  // poll the cancellation
    if (shutting_down_ || idle_.empty()) {
      WorkerReply r;
      r.output = Error::Overloaded("no worker process is available; retry after the time in Retry-After");
      return r;
    }
    p = std::move(idle_.back());
    idle_.pop_back();
    if (!p->Exited()) {
      busy_pids_.push_back(p->pid);
      break;
    }
    spdlog::warn("worker {} exited while idle (status {}); replacing it", p->pid, p->wait_status);
    if (options_.on_replace) options_.on_replace(WorkerExit::kCrash);
    to_replace_.push_back(std::move(p));
    supervisor_cv_.Signal();
  }
  const pid_t pid = p->pid;
  try {
    return Exchange(std::move(p), request, document, deadline, control, lost_before_start);
  } catch (const std::exception& e) {
    // Exchange hands the process back itself; an exception there is a bug
    // of ours, never the document's. The request fails, the slot survives.
    spdlog::error("worker {}: the exchange failed: {}", pid, e.what());
    WorkerReply r;
    r.output = Error::Internal("the document could not be handed to a worker; this is a bug of the service");
    return r;
  }
}

WorkerReply WorkerPool::Exchange(std::unique_ptr<Process> p, const WorkerRequest& request, const std::string& document,
                                 Deadline deadline, const RunControl& control, bool* lost_before_start) {
  const pid_t pid = p->pid;
  // Hands the process back: idle again, or to the supervisor. Every path
  // below ends here, an exception included (the guard).
  bool handed_back = false;
  auto done = [&](std::unique_ptr<Process> proc, std::optional<WorkerExit> replace) {
    handed_back = true;
    {
      MutexLock lock(&mu_);
      busy_pids_.erase(std::find(busy_pids_.begin(), busy_pids_.end(), pid));
      if (!replace) {
        idle_.push_back(std::move(proc));
        idle_cv_.Signal();
      }
    }
    if (replace) Replace(std::move(proc), *replace);
  };

  struct HandBack {
    std::function<void()> on_exit;
    ~HandBack() { on_exit(); }
  } hand_back{[&] {
    if (!handed_back && p) done(std::move(p), WorkerExit::kCrash);
  }};

  WorkerRequest req = request;
  req.time_left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  req.progress = static_cast<bool>(control.on_progress);
  const Deadline hard = deadline + options_.grace;
  std::string header, body;
  std::optional<WireError> err = WriteMessage(p->fd, EncodeRequest(req), document, hard);
  if (err == WireError::kClosed) {
    // The worker was gone before it could read the request.
    if (!p->Reap(std::chrono::milliseconds(200))) p->Kill();
    spdlog::warn("worker {} was gone before it took a document (status {}); trying another", pid, p->wait_status);
    *lost_before_start = true;
    WorkerReply lost;
    lost.output = Error::Overloaded("no worker process is available; retry after the time in Retry-After");
    done(std::move(p), WorkerExit::kCrash);
    return lost;
  }
  WorkerReply reply;
  // Progress messages (when asked for), then the reply; the cancellation
  // is polled while waiting for each.
  int pages_done = 0, pages_total = 0;
  bool cancelled = false;
  while (!err) {
    while (control.cancelled && !(cancelled = control.cancelled())) {
      err = WaitReadable(p->fd, std::min(hard, Clock::now() + kCancelPoll));
      if (err != WireError::kTimeout || Clock::now() >= hard) break;
      err.reset();
    }
    if (cancelled || err) break;
    err = ReadMessage(p->fd, &header, &body, hard);
    if (err) break;
    Result<std::optional<WorkerProgress>> progress =
        DecodeProgress(header, body, options_.config.limits.document.max_pages);
    if (progress.ok() && !*progress) break;  // the reply
    if (progress.ok() && (!req.progress || (*progress)->pages_done <= pages_done ||
                          (pages_total != 0 && (*progress)->pages_total != pages_total))) {
      progress = Error::Internal("progress message out of order on the worker channel");
    }
    if (!progress.ok()) {
      spdlog::error("worker {}: {}", pid, progress.error().message);
      reply.output = progress.error();
      done(std::move(p), WorkerExit::kCrash);
      return reply;
    }
    pages_done = (*progress)->pages_done;
    pages_total = (*progress)->pages_total;
    control.on_progress(pages_done, pages_total);
  }

  if (cancelled) {
    p->Kill();
    spdlog::info("worker {} killed: its document was cancelled", pid);
    reply.output = Error::Cancelled();
    done(std::move(p), WorkerExit::kCancel);
    return reply;
  }

  if (!err) {
    Result<WorkerReply> decoded = DecodeReply(header, std::move(body), request.document.op);
    if (!decoded.ok()) {
      spdlog::error("worker {}: {}", pid, decoded.error().message);
      reply.output = decoded.error();
      done(std::move(p), WorkerExit::kCrash);
      return reply;
    }
    reply = std::move(*decoded);
    ++p->documents;
    if (reply.retire) {
      done(std::move(p), WorkerExit::kMemory);
    } else if (options_.max_documents > 0 && p->documents >= options_.max_documents) {
      done(std::move(p), WorkerExit::kRecycle);
    } else {
      done(std::move(p), std::nullopt);
    }
    return reply;
  }

  if (err == WireError::kTimeout) {
    p->Kill();
    spdlog::warn("worker {} killed: the document overran its deadline", pid);
    reply.output = Error::Timeout(
        "processing took longer than the time limit per document and was stopped; split the document or retry when "
        "the service is less busy");
    done(std::move(p), WorkerExit::kTimeout);
    return reply;
  }

  // The channel broke: the worker died on this document.
  if (!p->Reap(std::chrono::milliseconds(2000))) p->Kill();
  const int st = p->wait_status;
  if (WIFSIGNALED(st) && WTERMSIG(st) == SIGXCPU) {
    spdlog::warn("worker {} stopped at its CPU limit", pid);
    const int cpu_seconds = request.cpu_seconds > 0 ? request.cpu_seconds : options_.config.limits.cpu_seconds;
    reply.output = Error::Timeout("processing used more than the CPU limit of " + std::to_string(cpu_seconds) +
                                  " s per document; the worker was stopped");
    done(std::move(p), WorkerExit::kCpu);
    return reply;
  }
  if (WIFSIGNALED(st)) {
    spdlog::error("worker {} crashed with signal {} ({}) on a document", pid, WTERMSIG(st), strsignal(WTERMSIG(st)));
  } else {
    spdlog::error("worker {} exited with status {} on a document", pid, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  }
  reply.output = Error::Unprocessable(
      "the document crashed the parser (the worker process handling it died); it cannot be processed. The service "
      "goes on; if the file opens elsewhere, please report it");
  done(std::move(p), WorkerExit::kCrash);
  return reply;
}

void WorkerPool::Shutdown() {
  std::vector<std::unique_ptr<Process>> idle;
  std::deque<std::unique_ptr<Process>> replace;
  {
    MutexLock lock(&mu_);
    if (shutting_down_ && !supervisor_.joinable()) return;
    shutting_down_ = true;
    idle.swap(idle_);
    replace.swap(to_replace_);
  }
  idle_cv_.SignalAll();
  supervisor_cv_.SignalAll();
  if (supervisor_.joinable()) supervisor_.join();
  for (auto& p : idle) p->fd >= 0 ? (void)::shutdown(p->fd, SHUT_RDWR) : (void)0;
  for (auto& p : idle) p->Close(std::chrono::milliseconds(2000));
  for (auto& p : replace) p->Close(std::chrono::milliseconds(200));
}

}  // namespace pactum::service
