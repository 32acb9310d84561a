// CallbackOptions: the operator's settings for callbacks, the HTTP POSTs
// that tell a client's own endpoint (a job's callback_url) that its job has
// finished. Plain values; the policy, the signing and the delivery that use
// them live in service/webhook.h.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace pactum::service {

struct CallbackOptions {
  // Where callbacks may go (--callback-allow). Each entry is one of
  //   a host name, matched exactly ("hooks.example.org", any case),
  //   a suffix wildcard ("*.example.org": any name ending in ".example.org",
  //     not "example.org" itself),
  //   an IP address ("192.0.2.10", "2001:db8::10"), or
  //   a CIDR range ("10.20.0.0/16", "fd00:1234::/32").
  // Every address a callback host resolves to must be admitted: an address
  // covered by an IP or CIDR entry always is; any other address only when a
  // host-name entry admits the host and the address is an ordinary public
  // one (not loopback, private, link-local, unspecified, multicast,
  // reserved or documentation ranges: a name alone never opens the local
  // network, whatever its DNS says). Empty: the service sends no callbacks,
  // and a job submitted with a callback_url is refused (400).
  std::vector<std::string> allow;

  // File whose first line is the HMAC-SHA256 key of the Pactum-Signature
  // header (--callback-secret-file). Empty: callbacks are sent unsigned. A
  // file that is missing, unreadable or whose first line is empty fails
  // Server::Start().
  std::string secret_file;

  // PEM file of CA certificates that https callbacks are verified against
  // (--callback-ca-file). Empty: the system's certificates. An unreadable
  // file, or one without a certificate, fails Server::Start().
  std::string ca_file;

  // Delays before the second, third, ... attempt of a delivery that failed
  // with a connection error, a timeout, 408, 429 or 5xx; after the last one
  // the delivery is given up (logged as an error). Each delay is varied by
  // up to `jitter` (a fraction) either way, so that receivers that come
  // back are not hit by every retry at once. Other 4xx (and 3xx: redirects
  // are not followed) give up at once.
  std::vector<std::chrono::milliseconds> retry_delays = {std::chrono::seconds(1), std::chrono::seconds(5),
                                                         std::chrono::seconds(30), std::chrono::minutes(2),
                                                         std::chrono::minutes(10)};
  double jitter = 0.2;

  // Connect, write and read timeout of one attempt.
  std::chrono::milliseconds timeout = std::chrono::seconds(10);

  // Deliveries held at once, waiting for an attempt or a retry; beyond it a
  // new one is dropped (logged, counted). Kept in memory: deliveries still
  // waiting when the service stops are logged and lost.
  std::size_t max_pending = 1000;

  // Threads sending callbacks (each sends one at a time).
  int threads = 2;
};

}  // namespace pactum::service
