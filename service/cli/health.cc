#include "cli/health.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

namespace pactum::service::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct Url {
  std::string host;  // without brackets
  std::string port;
  std::string path;
};

std::optional<Url> ParseHttpUrl(const std::string& url, std::string* why) {
  const std::string scheme = "http://";
  if (url.rfind("https://", 0) == 0) {
    *why = "https:// is not supported; give the service's plain http:// address";
    return std::nullopt;
  }
  if (url.rfind(scheme, 0) != 0) {
    *why = "not an http:// URL";
    return std::nullopt;
  }
  Url u;
  std::string rest = url.substr(scheme.size());
  const std::size_t slash = rest.find('/');
  u.path = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string authority = rest.substr(0, slash);
  if (authority.find('@') != std::string::npos) {
    *why = "user names and passwords in the URL are not supported";
    return std::nullopt;
  }
  if (!authority.empty() && authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string::npos) {
      *why = "unclosed '[' in the host";
      return std::nullopt;
    }
    u.host = authority.substr(1, close - 1);
    authority = authority.substr(close + 1);
    if (!authority.empty() && authority[0] != ':') {
      *why = "unexpected text after the host";
      return std::nullopt;
    }
    u.port = authority.empty() ? "80" : authority.substr(1);
  } else {
    const std::size_t colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    u.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  }
  if (u.host.empty()) {
    *why = "no host";
    return std::nullopt;
  }
  if (u.port.empty() || u.port.size() > 5 || u.port.find_first_not_of("0123456789") != std::string::npos ||
      std::atoi(u.port.c_str()) > 65535) {
    *why = "the port must be a number from 0 to 65535";
    return std::nullopt;
  }
  for (char c : u.path) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      *why = "spaces or control characters in the path";
      return std::nullopt;
    }
  }
  return u;
}

std::string DefaultUrl() {
  std::string host = "127.0.0.1";
  if (const char* h = std::getenv("PACTUM_HOST"); h != nullptr && *h != '\0') {
    const std::string s = h;
    if (s != "0.0.0.0" && s != "::" && s != "[::]") host = s;
  }
  if (host.find(':') != std::string::npos && host[0] != '[') host = "[" + host + "]";
  std::string port = "8080";
  if (const char* p = std::getenv("PACTUM_PORT"); p != nullptr && *p != '\0') port = p;
  return "http://" + host + ":" + port + "/readyz";
}

int MillisLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

// Waits for `events` on `fd` until the deadline; false on timeout.
bool Await(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, MillisLeft(deadline));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return false;
  }
}

// A connected socket, or -1 with *why set.
int Connect(const Url& u, Clock::time_point deadline, bool* timed_out, std::string* why) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* list = nullptr;
  if (const int rc = ::getaddrinfo(u.host.c_str(), u.port.c_str(), &hints, &list); rc != 0) {
    *why = std::string("cannot resolve ") + u.host + ": " + ::gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = list; a != nullptr && fd < 0; a = a->ai_next) {
    const int s = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (s < 0) {
      *why = std::string("cannot connect: ") + std::strerror(errno);
      continue;
    }
    int err = 0;
    if (::connect(s, a->ai_addr, a->ai_addrlen) != 0) {
      err = errno;
      if (err == EINPROGRESS) {
        if (!Await(s, POLLOUT, deadline)) {
          *timed_out = true;
          ::close(s);
          break;
        }
        socklen_t len = sizeof err;
        if (::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      }
    }
    if (err != 0) {
      *why = std::string("cannot connect: ") + std::strerror(err);
      ::close(s);
      continue;
    }
    fd = s;
  }
  ::freeaddrinfo(list);
  return fd;
}

// The status line of the answer ("HTTP/1.1 200 OK"), or nullopt with *why.
std::optional<std::string> Get(int fd, const Url& u, Clock::time_point deadline, bool* timed_out,
                               std::string* why) {
  const bool v6 = u.host.find(':') != std::string::npos;
  const std::string request = "GET " + u.path + " HTTP/1.0\r\nHost: " + (v6 ? "[" + u.host + "]" : u.host) + ":" +
                              u.port + "\r\nUser-Agent: pactum-health\r\nConnection: close\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!Await(fd, POLLOUT, deadline)) {
        *timed_out = true;
        return std::nullopt;
      }
    } else {
      *why = std::string("the connection failed: ") + std::strerror(errno);
      return std::nullopt;
    }
  }
  std::string answer;
  char buf[512];
  while (answer.find('\n') == std::string::npos && answer.size() < 4096) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      answer.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!Await(fd, POLLIN, deadline)) {
        *timed_out = true;
        return std::nullopt;
      }
    } else {
      *why = std::string("the connection failed: ") + std::strerror(errno);
      return std::nullopt;
    }
  }
  std::string line = answer.substr(0, answer.find('\n'));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

int RunHealth(const HealthArgs& args) {
  const std::string url = args.url.empty() ? DefaultUrl() : args.url;
  std::string why;
  const std::optional<Url> u = ParseHttpUrl(url, &why);
  if (!u) {
    std::fprintf(stderr, "pactum: health: %s%s: %s\n", args.url.empty() ? "" : "--url ", url.c_str(), why.c_str());
    return kExitUsage;
  }
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(static_cast<long long>(std::llround(args.timeout_seconds * 1000)));
  bool timed_out = false;
  std::optional<std::string> status;
  if (const int fd = Connect(*u, deadline, &timed_out, &why); fd >= 0) {
    status = Get(fd, *u, deadline, &timed_out, &why);
    ::close(fd);
  }
  if (timed_out) {
    std::fprintf(stderr, "pactum: health: %s: no answer within %g s\n", url.c_str(), args.timeout_seconds);
    return kExitNotMet;
  }
  if (!status) {
    std::fprintf(stderr, "pactum: health: %s: %s\n", url.c_str(), why.c_str());
    return kExitNotMet;
  }
  // "HTTP/1.x CODE REASON"
  const std::size_t sp = status->find(' ');
  const std::string rest = sp == std::string::npos ? "" : status->substr(sp + 1);
  if (status->rfind("HTTP/", 0) != 0 || rest.size() < 3) {
    std::fprintf(stderr, "pactum: health: %s: not an HTTP answer\n", url.c_str());
    return kExitNotMet;
  }
  if (rest.compare(0, 3, "200") != 0 || (rest.size() > 3 && rest[3] != ' ')) {
    std::fprintf(stderr, "pactum: health: %s: not ready, answered %s\n", url.c_str(), rest.c_str());
    return kExitNotMet;
  }
  std::printf("%s: ready (%s)\n", url.c_str(), rest.c_str());
  return kExitOk;
}

}  // namespace pactum::service::cli
