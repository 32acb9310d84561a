// Callbacks ("webhooks"): when a job finishes, pactum POSTs the job object
// to the job's callback_url. This module is the whole of it, apart from the
// jobs code that calls it:
//
//   CallbackPolicy  which URLs the operator allows (--callback-allow), the
//                   check of a callback_url when a job is submitted (400
//                   with a message for the client) and again before every
//                   attempt (DNS may have changed since: rebinding);
//   signing         Pactum-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256
//                   of "<t>.<body>"> (the scheme Stripe uses), and its
//                   verification for receivers and tests;
//   CallbackSender  a bounded queue and threads of its own that deliver,
//                   retry with backoff and give up, never blocking the
//                   caller.
//
// The sender connects to an address it has checked, never to the result of
// a second look-up: the host name stays in the URL (Host header, TLS server
// name and certificate check) while the connection goes to the address.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "metrics.h"
#include "pactum/models/mutex.h"
#include "pactum/models/status.h"
#include "pactum/service/callbacks.h"

namespace httplib {
class ClientImpl;
}

namespace pactum::service {

// An IPv4 or IPv6 address. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is
// held as the IPv4 address it maps, so that no check can be passed by
// writing an address the other way.
struct IpAddress {
  bool v6 = false;
  std::array<unsigned char, 16> bytes{};  // IPv4: the first 4

  // The address written as `text` in the standard notation (dotted quad,
  // or RFC 4291 text without brackets or zone); nullopt for anything else,
  // including the shorthand forms inet_aton takes ("127.1", "0x7f.0.0.1").
  static std::optional<IpAddress> Parse(std::string_view text);
  std::string ToString() const;
  bool operator==(const IpAddress& other) const = default;
};

// An address range in CIDR notation.
struct IpRange {
  IpAddress base;
  int prefix = 0;  // leading bits that must match base (0..32 or 0..128)

  // "10.0.0.0/8", "fd00::/8", or a single address (a /32 or /128). Errors
  // (kBadRequest) name the entry: not an address, a prefix out of range, or
  // bits set after the prefix ("10.0.0.1/8": did you mean 10.0.0.0/8?).
  static Result<IpRange> Parse(std::string_view text);
  bool Contains(const IpAddress& a) const;
};

// What kind of special-purpose address `a` is, in a few words ("loopback",
// "private", "link-local", "unspecified", "multicast", ...), or "" for an
// ordinary public address. Special addresses receive callbacks only when
// an IP or CIDR entry of the allow list covers them.
std::string_view SpecialAddressKind(const IpAddress& a);

// A callback URL taken apart: "http" or "https", a host, a port, a path.
struct CallbackUrl {
  bool https = false;
  std::string host;  // lower case, without brackets or a trailing dot
  std::optional<IpAddress> ip;  // set when the host is an IP address literal
  int port = 0;        // the URL's, else 80 or 443
  std::string target;  // path and query as given; "/" when the URL has none
  // The Host header: the host (an IPv6 address in brackets) and ":port"
  // unless the port is the scheme's default.
  std::string authority;

  // scheme://authority/path, without the query (which may hold a token of
  // the receiver's): what logs show.
  std::string Redacted() const;
};

// Takes a callback URL apart. kBadRequest, with a message for the client
// who gave it, for: anything but an absolute http:// or https:// URL (https
// is available: cpp-httplib is built with OpenSSL), user information
// ("user:pass@"), a fragment, an empty or malformed host, a port outside
// 1..65535, whitespace, control or non-ASCII characters (percent-encode
// them), and more than 2048 characters.
Result<CallbackUrl> ParseCallbackUrl(std::string_view url);

// The addresses a host name resolves to (getaddrinfo, IPv4 and IPv6), each
// once. kBadRequest when the name does not exist; kOverloaded when the
// resolver failed for now (retry later).
Result<std::vector<IpAddress>> ResolveHost(const std::string& host);
using Resolver = std::function<Result<std::vector<IpAddress>>(const std::string& host)>;

// A callback URL that passed the policy, with the addresses to connect to
// (every address its host resolved to, each admitted).
struct CallbackTarget {
  CallbackUrl url;
  std::vector<IpAddress> addresses;
};

// The operator's allow list (CallbackOptions::allow). Immutable once
// parsed; const methods may be called from any number of threads.
class CallbackPolicy {
 public:
  // An empty policy: no callbacks at all.
  CallbackPolicy() = default;

  // Parses the entries (see CallbackOptions::allow; surrounding spaces are
  // ignored, empty entries are not allowed). kBadRequest naming the first
  // bad entry.
  static Result<CallbackPolicy> Parse(const std::vector<std::string>& entries);

  // True when no entry was given: every callback_url is refused.
  bool empty() const { return names_.empty() && suffixes_.empty() && ranges_.empty(); }

  // The check of a callback_url when a job is submitted: ParseCallbackUrl,
  // CheckHost, `resolve` (unless the host is an IP literal), then
  // CheckAddresses. Its Error is the client's answer: kBadRequest (the
  // empty policy's message is "this service sends no callbacks; its
  // operator allows them with --callback-allow"), or kOverloaded when the
  // host could not be resolved for now.
  Result<CallbackTarget> Check(std::string_view url, const Resolver& resolve = ResolveHost) const;

  // The host alone: an IP literal must be covered by an IP or CIDR entry; a
  // name must match a host-name entry, or else may still pass by its
  // addresses when the list has IP or CIDR entries. kBadRequest otherwise.
  std::optional<Error> CheckHost(const CallbackUrl& url) const;

  // Every address of `addresses` (what url.host resolved to) admitted, as
  // CallbackOptions::allow says; kBadRequest naming the first that is not
  // and why (e.g. "resolves to 127.0.0.1, a loopback address").
  std::optional<Error> CheckAddresses(const CallbackUrl& url, const std::vector<IpAddress>& addresses) const;

 private:
  bool NameAllowed(const std::string& host) const;
  bool Covered(const IpAddress& a) const;

  std::vector<std::string> names_;     // exact host names, lower case
  std::vector<std::string> suffixes_;  // ".example.org" of "*.example.org"
  std::vector<IpRange> ranges_;        // IP addresses (as /32, /128) and CIDR ranges
};

// The callback HMAC key: the first line of the file at `path` (a trailing
// CR removed). kBadRequest naming the file when it cannot be read, is
// larger than 64 KiB, or its first line is empty.
Result<std::string> LoadCallbackSecret(const std::string& path);

// The Pactum-Signature header value of `body` sent at `unix_seconds`:
// "t=<unix_seconds>,v1=<lowercase hex HMAC-SHA256 with key `secret` of
// "<unix_seconds>.<body>">".
std::string CallbackSignature(std::string_view secret, std::int64_t unix_seconds, std::string_view body);

enum class SignatureCheck {
  kValid,
  kMalformed,         // no t= or no v1= element, or a t that is not a number
  kOutsideTolerance,  // t is further than the tolerance from now (a replay, or a clock far off)
  kMismatch,          // no v1 matches: another key, or a changed body or t
};

// Checks a Pactum-Signature header value, as a receiver should: the
// elements are comma-separated key=value pairs in any order; t must be
// within `tolerance` of `now` (either way); one of the v1 values (there
// may be several, e.g. while a key is being replaced) must equal the HMAC
// of "<t>.<body>" (compared in constant time). Other elements are ignored.
SignatureCheck VerifyCallbackSignature(std::string_view header, std::string_view body, std::string_view secret,
                                       std::chrono::seconds tolerance,
                                       std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// Delivers callbacks on threads of its own. Each delivery is a POST of a
// JSON body with the headers
//   Content-Type: application/json
//   User-Agent: pactum/<version>
//   Pactum-Event: <event>                 e.g. job.finished
//   Pactum-Delivery: <32 hex digits>      the same on every attempt
//   Pactum-Signature: t=...,v1=...        when a secret is configured; new
//                                         for every attempt
// Before every attempt the URL is checked against the policy again, with a
// fresh look-up; the connection goes to an address that passed. 2xx is
// delivered; a connection error, a timeout, 408, 429 or 5xx is retried
// after CallbackOptions::retry_delays; any other status gives up at once.
// Redirects are not followed; at most 64 KiB of an answer is read. Each
// attempt writes one log line (the URL without its query).
//
// Thread-safe: Enqueue, Pending and Stop may be called from any thread.
class CallbackSender {
 public:
  // Starts options.threads delivery threads (at least 1). `secret` empty:
  // no Pactum-Signature. `metrics`, when not null, gets the counters
  // pactum_callbacks_total{outcome=delivered|failed|dropped|abandoned} and
  // pactum_callback_attempts_total{result=2xx|3xx|4xx|5xx|error|refused};
  // it must outlive the sender.
  CallbackSender(CallbackPolicy policy, std::string secret, const CallbackOptions& options,
                 Metrics* metrics = nullptr);
  // Stop().
  ~CallbackSender();

  CallbackSender(const CallbackSender&) = delete;
  CallbackSender& operator=(const CallbackSender&) = delete;

  // Queues a POST of `body` to `url` and returns at once: the delivery's
  // id, or kOverloaded when max_pending deliveries are held already (the
  // new one is dropped, logged and counted) or the sender is stopping. The
  // URL is checked at each attempt; check it at submission with policy().
  Result<std::string> Enqueue(std::string url, std::string body, std::string event = "job.finished");

  // Deliveries held: waiting for an attempt or a retry, or being sent.
  std::size_t Pending() const;

  // Stops promptly: no new attempt starts, attempts in flight are cut off,
  // the threads are joined, and every delivery not made is logged (warning)
  // and counted as abandoned. Idempotent.
  void Stop();

  const CallbackPolicy& policy() const { return policy_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Delivery {
    std::string id, url, body, event;
    int attempts = 0;  // made so far
  };
  enum class Outcome { kDelivered, kRetry, kGiveUp, kAbandoned };
  struct AttemptResult {
    Outcome outcome = Outcome::kGiveUp;
    std::string result;  // metrics label: 2xx, 3xx, 4xx, 5xx, error, refused
    std::string detail;  // for the log
  };

  void Run();
  std::optional<Delivery> Next() PACTUM_EXCLUDES(mu_);
  AttemptResult Attempt(const Delivery& d) PACTUM_EXCLUDES(mu_);
  AttemptResult Send(const Delivery& d, const CallbackTarget& target) PACTUM_EXCLUDES(mu_);
  void Finish(Delivery d, const AttemptResult& r, Clock::duration took) PACTUM_EXCLUDES(mu_);
  void Count(std::string_view outcome);

  const CallbackPolicy policy_;
  const std::string secret_;
  const CallbackOptions options_;
  const std::string user_agent_;
  CounterFamily* outcomes_ = nullptr;
  CounterFamily* attempts_ = nullptr;

  mutable Mutex mu_;
  CondVar cv_;
  std::multimap<Clock::time_point, Delivery> waiting_ PACTUM_GUARDED_BY(mu_);
  std::size_t sending_ PACTUM_GUARDED_BY(mu_) = 0;
  // Clients of the attempts in flight, cut off by Stop().
  std::vector<std::shared_ptr<httplib::ClientImpl>> clients_ PACTUM_GUARDED_BY(mu_);
  bool stopping_ PACTUM_GUARDED_BY(mu_) = false;
  std::mt19937_64 rng_ PACTUM_GUARDED_BY(mu_);

  Mutex stop_mu_;  // one Stop() at a time
  std::vector<std::thread> threads_ PACTUM_GUARDED_BY(stop_mu_);  // started by the constructor, joined by Stop()
};

// What Server::Start() makes of `options`: parses the allow list, reads
// the secret file and checks the CA file (kBadRequest naming what is wrong:
// the service does not start), warns when callbacks are allowed without a
// secret (they go unsigned) or a secret is given without an allow list,
// and starts a sender; nullptr when the allow list is empty (no callbacks).
Result<std::unique_ptr<CallbackSender>> StartCallbackSender(const CallbackOptions& options, Metrics* metrics);

}  // namespace pactum::service
