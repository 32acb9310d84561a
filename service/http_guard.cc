#include "http_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <thread>

namespace pactum::service {
namespace {

using Clock = std::chrono::steady_clock;

RawHead& ThisThreadsHead() {
  thread_local RawHead head;
  return head;
}

int MillisUntil(Clock::time_point t) {
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(t - Clock::now()).count();
  return ms <= 0 ? 0 : static_cast<int>(std::min<long long>(ms, 1'000'000'000));
}

// Waits until `sock` has `events`, for at most `ms`: >0 ready, 0 timeout,
// <0 error.
int PollFor(int sock, short events, int ms) {
  for (;;) {
    pollfd p{sock, events, 0};
    const int n = ::poll(&p, 1, ms);
    if (n >= 0 || errno != EINTR) return n;
  }
}

void AddressOf(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    port = ntohs(a->sin6_port);
  }
  ip = text;
}

// One connection's socket: buffered reads, and the head of each request
// watched byte by byte as the library takes it.
class GuardedStream final : public httplib::Stream {
 public:
  GuardedStream(int sock, const HeadLimits& limits, std::chrono::milliseconds read_timeout,
                std::chrono::milliseconds write_timeout)
      : sock_(sock), limits_(limits), read_timeout_(read_timeout), write_timeout_(write_timeout) {}

  // A new request starts: its head is watched from its first byte.
  void BeginRequest() {
    RawHead& head = ThisThreadsHead();
    head.bytes.clear();
    head.violation = RawHead::Violation::kNone;
    head.close_after = false;
    in_head_ = true;
    head_started_ = false;
    lines_ = 0;
  }

  bool HasBuffered() const { return off_ < len_; }

  bool is_readable() const override {
    return HasBuffered() || PollFor(sock_, POLLIN, static_cast<int>(read_timeout_.count())) > 0;
  }

  bool is_writable() const override {
    return PollFor(sock_, POLLOUT, static_cast<int>(write_timeout_.count())) > 0;
  }

  ssize_t read(char* ptr, size_t size) override {
    if (size == 0) return 0;
    if (!HasBuffered() && !Fill()) return -1;
    size_t n = std::min(size, len_ - off_);
    if (in_head_) {
      n = 1;  // the library reads heads byte by byte; watch each
      if (!Watch(buf_[off_])) return -1;
    }
    std::copy_n(buf_ + off_, n, ptr);
    off_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    for (;;) {
      const ssize_t n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
      if (n >= 0 || errno != EINTR) return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) AddressOf(addr, ip, port);
  }

  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) AddressOf(addr, ip, port);
  }

  socket_t socket() const override { return sock_; }

 private:
  // Reads what the socket has into the buffer; false on end, error, or
  // (in a head) the head's time running out.
  bool Fill() {
    int wait = static_cast<int>(read_timeout_.count());
    if (in_head_ && head_started_) {
      wait = std::min(wait, MillisUntil(head_deadline_));
    }
    const int ready = PollFor(sock_, POLLIN, wait);
    if (ready <= 0) {
      if (ready == 0 && in_head_ && head_started_ && Clock::now() >= head_deadline_) {
        ThisThreadsHead().violation = RawHead::Violation::kTimeout;
      }
      return false;
    }
    ssize_t n;
    do {
      n = ::recv(sock_, buf_, sizeof buf_, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return false;
    off_ = 0;
    len_ = static_cast<size_t>(n);
    return true;
  }

  // Takes one byte of a head; false when a limit is passed.
  bool Watch(char c) {
    RawHead& head = ThisThreadsHead();
    if (!head_started_) {
      head_started_ = true;
      head_deadline_ = Clock::now() + limits_.head_timeout;
    } else if (Clock::now() >= head_deadline_) {
      head.violation = RawHead::Violation::kTimeout;
      return false;
    }
    if (head.bytes.size() >= limits_.max_head_bytes) {
      head.violation = RawHead::Violation::kTooLarge;
      return false;
    }
    head.bytes += c;
    if (c == '\n') {
      const std::string& b = head.bytes;
      const bool blank = b.size() == 1 || b[b.size() - 2] == '\n' ||
                         (b.size() >= 3 && b[b.size() - 2] == '\r' && b[b.size() - 3] == '\n');
      if (blank && b.size() > 2) {
        in_head_ = false;  // the body, if any, follows
      } else if (++lines_ > limits_.max_head_lines + 1) {  // + the request line
        head.violation = RawHead::Violation::kTooManyLines;
        return false;
      }
    }
    return true;
  }

  const int sock_;
  const HeadLimits limits_;
  const std::chrono::milliseconds read_timeout_, write_timeout_;
  char buf_[16 * 1024];
  size_t off_ = 0, len_ = 0;
  bool in_head_ = true;
  bool head_started_ = false;
  Clock::time_point head_deadline_;
  int lines_ = 0;
};

}  // namespace

const RawHead& CurrentRawHead() { return ThisThreadsHead(); }

void CloseConnectionAfterThisRequest() { ThisThreadsHead().close_after = true; }

std::vector<std::string> RawHeaderValues(std::string_view head, std::string_view name) {
  std::vector<std::string> values;
  std::size_t at = head.find('\n');  // skip the request line
  while (at != std::string_view::npos && at + 1 < head.size()) {
    const std::size_t start = at + 1;
    const std::size_t end = head.find('\n', start);
    std::string_view line = head.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    at = end;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t colon = line.find(':');
    if (colon != name.size()) continue;
    const bool same = std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
    if (!same) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    values.emplace_back(value);
  }
  return values;
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  const auto read_timeout = std::chrono::duration_cast<milliseconds>(seconds(read_timeout_sec_)) +
                            std::chrono::duration_cast<milliseconds>(std::chrono::microseconds(read_timeout_usec_));
  const auto write_timeout = std::chrono::duration_cast<milliseconds>(seconds(write_timeout_sec_)) +
                             std::chrono::duration_cast<milliseconds>(std::chrono::microseconds(write_timeout_usec_));
  GuardedStream stream(sock, limits_, read_timeout, write_timeout);
  bool ok = false;
  std::size_t left = keep_alive_max_count_;
  const auto keep_alive = seconds(keep_alive_timeout_sec_);
  while (svr_sock_ != INVALID_SOCKET && left > 0) {
    // Wait for the next request, looking at the listener now and then so
    // that stop() ends idle connections.
    if (!stream.HasBuffered()) {
      const auto until = Clock::now() + keep_alive;
      int ready = 0;
      while (svr_sock_ != INVALID_SOCKET && (ready = PollFor(sock, POLLIN, std::min(100, MillisUntil(until)))) == 0 &&
             Clock::now() < until) {
      }
      if (ready <= 0 || svr_sock_ == INVALID_SOCKET) break;
    }
    const bool close_connection = left == 1;
    bool connection_closed = false;
    stream.BeginRequest();
    ok = process_request(stream, close_connection, connection_closed, nullptr);
    const RawHead& head = ThisThreadsHead();
    if (!ok || connection_closed || head.close_after || head.violation != RawHead::Violation::kNone) break;
    --left;
  }
  ThisThreadsHead() = RawHead{};
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace pactum::service
