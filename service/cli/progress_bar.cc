#include "cli/progress_bar.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace pactum::service::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kBarCells = 24;

// "m:ss", or "h:mm:ss" from an hour.
std::string Elapsed(Clock::duration d) {
  const long long s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  }
  return buf;
}

// The terminal's width in columns; 80 when it does not say.
int Columns(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

// `s` cut to at most `width` bytes, not in the middle of a UTF-8 sequence.
std::string Cut(const std::string& s, std::size_t width) {
  if (s.size() <= width) return s;
  std::size_t n = width;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace

bool ProgressBar::Wanted(int fd) {
  if (::isatty(fd) != 1) return false;
  const char* term = std::getenv("TERM");
  return term == nullptr || std::strcmp(term, "dumb") != 0;
}

ProgressBar::ProgressBar(int fd, std::string label) : fd_(fd), label_(std::move(label)), start_(Clock::now()) {
  ticker_ = std::thread([this] { Tick(); });
  SetStderrOverlay(this);
}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(int done, int total) {
  MutexLock lock(&mu_);
  done_ = done;
  total_ = total;
  if (visible_ && !finished_) Draw();
}

void ProgressBar::Finish() {
  {
    MutexLock lock(&mu_);
    if (finished_) return;
    finished_ = true;
  }
  cv_.SignalAll();
  if (ticker_.joinable()) ticker_.join();
  SetStderrOverlay(nullptr);
  MutexLock lock(&mu_);
  Erase();
}

void ProgressBar::WriteAbove(const std::function<void()>& write) {
  MutexLock lock(&mu_);
  Erase();
  write();
  if (visible_ && !finished_) Draw();
}

void ProgressBar::Tick() {
  MutexLock lock(&mu_);
  while (!finished_) {
    cv_.WaitUntil(&mu_, Clock::now() + kTick);
    if (finished_) break;
    visible_ = true;
    Draw();
  }
}

void ProgressBar::Draw() {
  // What matters first; the name last, where a narrow terminal cuts it.
  std::string line;
  if (total_ <= 0) {
    line = "reading";
  } else {
    const int cells = static_cast<int>(static_cast<long long>(kBarCells) * done_ / total_);
    std::string bar(static_cast<std::size_t>(kBarCells), ' ');
    std::fill_n(bar.begin(), cells, '=');
    if (cells < kBarCells) bar[static_cast<std::size_t>(cells)] = '>';
    char percent[16];
    std::snprintf(percent, sizeof percent, " %3d%%", static_cast<int>(100LL * done_ / total_));
    line = "page " + std::to_string(done_) + " of " + std::to_string(total_) + " [" + bar + "]" + percent;
  }
  line += "  " + Elapsed(Clock::now() - start_) + "  " + label_;
  // One column short of the width: a full line would wrap on some terminals.
  const int columns = Columns(fd_);
  std::string out = "\r";
  out += Cut(line, static_cast<std::size_t>(std::max(1, columns - 1)));
  out += "\x1b[K";
  Write(out);
  shown_ = true;
}

void ProgressBar::Erase() {
  if (!shown_) return;
  Write("\r\x1b[K");
  shown_ = false;
}

void ProgressBar::Write(const std::string& s) {
  const char* p = s.data();
  std::size_t left = s.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a terminal that went away: no bar
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace pactum::service::cli
