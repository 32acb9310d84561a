#include "webhook.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <utility>

#ifndef PACTUM_VERSION
#error "PACTUM_VERSION must be defined (service/CMakeLists.txt) for the callbacks' User-Agent"
#endif

namespace pactum::service {
namespace {

constexpr std::size_t kMaxUrlLength = 2048;
constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;
// Of a receiver's answer only the status matters; the rest is read up to
// this and the connection is then dropped.
constexpr std::size_t kMaxAnswerBytes = 64 * 1024;
constexpr const char* kNoCallbacks = "this service sends no callbacks; its operator allows them with --callback-allow";

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), LowerAscii);
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string LowerHexOf(const unsigned char* bytes, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

// A DNS host name as URLs and the allow list write it (already lower
// case, without a trailing dot): labels of letters, digits and inner
// hyphens, 1 to 63 characters each, at most 253 in all; the last label is
// not all digits (that would be an IPv4 address in another notation).
bool IsHostName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  bool last_all_digits = false;
  while (start <= name.size()) {
    std::size_t end = name.find('.', start);
    if (end == std::string_view::npos) end = name.size();
    const std::string_view label = name.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    last_all_digits = true;
    for (const char c : label) {
      if (!((c >= 'a' && c <= 'z') || IsDigit(c) || c == '-')) return false;
      if (!IsDigit(c)) last_all_digits = false;
    }
    start = end + 1;
  }
  return !last_all_digits;
}

// A host as the allow list and URLs compare it: lower case, one trailing
// dot ("example.org.", the absolute form) dropped.
std::string CanonicalHost(std::string_view host) {
  std::string h = Lower(host);
  if (!h.empty() && h.back() == '.') h.pop_back();
  return h;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<IpAddress> FromSockaddr(const sockaddr* sa) {
  IpAddress a;
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    std::memcpy(a.bytes.data(), &in->sin_addr, 4);
    return a;
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    char text[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text) == nullptr) return std::nullopt;
    return IpAddress::Parse(text);  // maps ::ffff:a.b.c.d to IPv4
  }
  return std::nullopt;
}

struct SpecialRange {
  IpRange range;
  std::string_view kind;
};

// Address blocks of special purpose (IANA's registries, RFC 6890 and its
// successors), most specific first within a family.
const std::vector<SpecialRange>& SpecialRanges() {
  static const std::vector<SpecialRange> ranges = [] {
    const std::pair<const char*, std::string_view> table[] = {
        {"0.0.0.0/8", "unspecified"},          {"10.0.0.0/8", "private"},
        {"100.64.0.0/10", "shared (carrier-grade NAT)"}, {"127.0.0.0/8", "loopback"},
        {"169.254.0.0/16", "link-local"},       {"172.16.0.0/12", "private"},
        {"192.0.0.0/24", "reserved"},           {"192.0.2.0/24", "documentation"},
        {"192.88.99.0/24", "reserved"},         {"192.168.0.0/16", "private"},
        {"198.18.0.0/15", "benchmarking"},      {"198.51.100.0/24", "documentation"},
        {"203.0.113.0/24", "documentation"},    {"224.0.0.0/4", "multicast"},
        {"240.0.0.0/4", "reserved"},  // and 255.255.255.255, broadcast
        {"::/128", "unspecified"},              {"::1/128", "loopback"},
        {"64:ff9b::/96", "NAT64"},              {"64:ff9b:1::/48", "NAT64"},
        {"100::/64", "discard"},                {"2001:db8::/32", "documentation"},
        {"2001::/23", "reserved"},              {"2002::/16", "6to4"},
        {"3fff::/20", "documentation"},         {"fc00::/7", "private (unique local)"},
        {"fe80::/10", "link-local"},            {"fec0::/10", "site-local"},
        {"ff00::/8", "multicast"},
    };
    std::vector<SpecialRange> out;
    for (const auto& entry : table) out.push_back({*IpRange::Parse(entry.first), entry.second});
    return out;
  }();
  return ranges;
}

const IpRange& GlobalUnicastV6() {
  static const IpRange range = *IpRange::Parse("2000::/3");
  return range;
}

Error NotAllowed(const CallbackUrl& url) {
  return Error::BadRequest("callback_url's host " + url.host +
                           " is not one this service sends callbacks to (its --callback-allow list does not admit it)");
}

std::string NewDeliveryId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    for (unsigned char& b : bytes) b = static_cast<unsigned char>(rng());
  }
  return LowerHexOf(bytes, sizeof bytes);
}

std::string RedactedForLog(const std::string& url) {
  Result<CallbackUrl> u = ParseCallbackUrl(url);
  return u.ok() ? u->Redacted() : std::string("(an invalid URL)");
}

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

// ---- addresses --------------------------------------------------------------

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a.bytes.data(), kMapped, sizeof kMapped) == 0) {
    IpAddress v4;
    std::memcpy(v4.bytes.data(), a.bytes.data() + 12, 4);
    return v4;
  }
  a.v6 = true;
  return a;
}

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text) == nullptr) return "?";
  return text;
}

Result<IpRange> IpRange::Parse(std::string_view text) {
  const std::string shown(text);
  const std::size_t slash = text.find('/');
  const std::string_view address = text.substr(0, slash);
  std::optional<IpAddress> base = IpAddress::Parse(address);
  if (!base) return Error::BadRequest("'" + shown + "' is not an IP address or CIDR range");
  const int bits = base->v6 ? 128 : 32;
  int prefix = bits;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 || !std::all_of(digits.begin(), digits.end(), IsDigit)) {
      return Error::BadRequest("'" + shown + "': the prefix length after / is not a number");
    }
    prefix = std::stoi(std::string(digits));
    // ::ffff:10.0.0.0/104 is the IPv4 range 10.0.0.0/8.
    if (!base->v6 && address.find(':') != std::string_view::npos) prefix -= 96;
    if (prefix < 0 || prefix > bits) {
      return Error::BadRequest("'" + shown + "': the prefix length must be 0 to " + std::to_string(bits));
    }
  }
  IpRange range{*base, prefix};
  IpAddress network = *base;
  for (int i = prefix; i < bits; ++i) {
    network.bytes[static_cast<std::size_t>(i / 8)] &= static_cast<unsigned char>(~(0x80u >> (i % 8)));
  }
  if (!(network == *base)) {
    return Error::BadRequest("'" + shown + "' has bits set after its prefix; did you mean " + network.ToString() + "/" +
                             std::to_string(prefix) + "?");
  }
  return range;
}

bool IpRange::Contains(const IpAddress& a) const {
  if (a.v6 != base.v6) return false;
  const auto whole = static_cast<std::size_t>(prefix / 8);
  if (std::memcmp(a.bytes.data(), base.bytes.data(), whole) != 0) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xff00u >> rest);
  return (a.bytes[whole] & mask) == (base.bytes[whole] & mask);
}

std::string_view SpecialAddressKind(const IpAddress& a) {
  for (const SpecialRange& s : SpecialRanges()) {
    if (s.range.Contains(a)) return s.kind;
  }
  if (a.v6 && !GlobalUnicastV6().Contains(a)) return "reserved";
  return {};
}

// ---- URLs ---------------------------------------------------------------------

std::string CallbackUrl::Redacted() const {
  return std::string(https ? "https://" : "http://") + authority + target.substr(0, target.find('?'));
}

Result<CallbackUrl> ParseCallbackUrl(std::string_view url) {
  if (url.empty()) return Error::BadRequest("callback_url is empty; give an absolute http:// or https:// URL");
  if (url.size() > kMaxUrlLength) {
    return Error::BadRequest("callback_url is longer than " + std::to_string(kMaxUrlLength) + " characters");
  }
  for (const char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return Error::BadRequest(
          "callback_url contains a space, a control character or a non-ASCII character; percent-encode it");
    }
  }
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return Error::BadRequest("callback_url must be an absolute http:// or https:// URL");
  }
  const std::string scheme = Lower(url.substr(0, scheme_end));
  CallbackUrl u;
  if (scheme == "https") {
    u.https = true;
  } else if (scheme != "http") {
    return Error::BadRequest("callback_url must be an http:// or https:// URL, not " +
                             (scheme.size() <= 16 ? "'" + scheme + ":'" : std::string("another scheme")));
  }
  const std::string_view rest = url.substr(scheme_end + 3);
  const std::size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  const std::string_view authority = rest.substr(0, authority_end);
  const std::string_view remainder = rest.substr(authority_end);
  if (remainder.find('#') != std::string_view::npos) {
    return Error::BadRequest("callback_url must not have a fragment (#...)");
  }
  if (authority.find('@') != std::string_view::npos) {
    return Error::BadRequest("callback_url must not contain user information (user:password@)");
  }

  std::string_view host, port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return Error::BadRequest("callback_url's IPv6 address lacks its ']'");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return Error::BadRequest("callback_url has text after its ']'");
    if (!after.empty()) port = after.substr(1);
    u.ip = IpAddress::Parse(host);
    if (host.find(':') == std::string_view::npos || !u.ip) {
      return Error::BadRequest("callback_url's host in [brackets] is not an IPv6 address (zones are not accepted)");
    }
  } else {
    if (authority.find(':') != authority.rfind(':')) {
      return Error::BadRequest("callback_url's IPv6 address must be in brackets, e.g. http://[2001:db8::1]:8080/");
    }
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (host.empty()) return Error::BadRequest("callback_url has no host");
  u.host = CanonicalHost(host);
  if (!u.ip) {
    if (std::all_of(u.host.begin(), u.host.end(), [](char c) { return IsDigit(c) || c == '.'; })) {
      u.ip = IpAddress::Parse(u.host);
      if (!u.ip) {
        return Error::BadRequest("callback_url's host " + u.host + " is not an IPv4 address in dotted-quad notation");
      }
    } else if (!IsHostName(u.host)) {
      return Error::BadRequest("callback_url's host is not a valid host name (letters, digits, hyphens and dots)");
    }
  }
  const int default_port = u.https ? 443 : 80;
  u.port = default_port;
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), IsDigit) || std::stoi(std::string(port)) < 1 ||
        std::stoi(std::string(port)) > 65535) {
      return Error::BadRequest("callback_url's port must be a number from 1 to 65535");
    }
    u.port = std::stoi(std::string(port));
  }
  u.authority = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  if (u.port != default_port) u.authority += ":" + std::to_string(u.port);
  u.target = remainder.empty() || remainder.front() != '/' ? "/" + std::string(remainder) : std::string(remainder);
  return u;
}

Result<std::vector<IpAddress>> ResolveHost(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) {
    if (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_ADDRFAMILY) {
      return Error::BadRequest("callback_url's host " + host + " does not resolve to an address");
    }
    return Error::Overloaded("callback_url's host " + host + " could not be resolved now (" + gai_strerror(rc) +
                             "); retry later");
  }
  std::vector<IpAddress> out;
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    std::optional<IpAddress> a = FromSockaddr(ai->ai_addr);
    if (a && std::find(out.begin(), out.end(), *a) == out.end()) out.push_back(*a);
  }
  freeaddrinfo(list);
  if (out.empty()) return Error::BadRequest("callback_url's host " + host + " does not resolve to an address");
  return out;
}

// ---- policy -------------------------------------------------------------------

Result<CallbackPolicy> CallbackPolicy::Parse(const std::vector<std::string>& entries) {
  CallbackPolicy p;
  for (const std::string& raw : entries) {
    const std::string_view entry = Trim(raw);
    const std::string shown = "--callback-allow entry '" + std::string(entry) + "'";
    if (entry.empty()) return Error::BadRequest("--callback-allow has an empty entry");
    if (entry.find("://") != std::string_view::npos) {
      return Error::BadRequest(shown + " is a URL; give its host name, IP address or CIDR range");
    }
    std::string_view address = entry;
    if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
      address = address.substr(1, address.size() - 2);
    }
    if (address.find('/') != std::string_view::npos || IpAddress::Parse(address)) {
      Result<IpRange> range = IpRange::Parse(address);
      if (!range.ok()) return Error::BadRequest("--callback-allow entry " + range.error().message);
      p.ranges_.push_back(*range);
      continue;
    }
    const bool wildcard = entry.substr(0, 2) == "*.";
    const std::string name = CanonicalHost(wildcard ? entry.substr(2) : entry);
    if (!IsHostName(name)) {
      return Error::BadRequest(shown +
                               " is not a host name, *.suffix wildcard, IP address or CIDR range (e.g. "
                               "hooks.example.org, *.example.org, 192.0.2.10, 10.20.0.0/16, fd00::/8)");
    }
    if (wildcard) {
      p.suffixes_.push_back("." + name);
    } else {
      p.names_.push_back(name);
    }
  }
  return p;
}

bool CallbackPolicy::NameAllowed(const std::string& host) const {
  if (std::find(names_.begin(), names_.end(), host) != names_.end()) return true;
  return std::any_of(suffixes_.begin(), suffixes_.end(), [&host](const std::string& suffix) {
    return host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
  });
}

bool CallbackPolicy::Covered(const IpAddress& a) const {
  return std::any_of(ranges_.begin(), ranges_.end(), [&a](const IpRange& r) { return r.Contains(a); });
}

std::optional<Error> CallbackPolicy::CheckHost(const CallbackUrl& url) const {
  if (empty()) return Error::BadRequest(kNoCallbacks);
  if (url.ip) {
    if (Covered(*url.ip)) return std::nullopt;
    return NotAllowed(url);
  }
  // A name no name entry admits may still pass by its addresses.
  if (NameAllowed(url.host) || !ranges_.empty()) return std::nullopt;
  return NotAllowed(url);
}

std::optional<Error> CallbackPolicy::CheckAddresses(const CallbackUrl& url,
                                                    const std::vector<IpAddress>& addresses) const {
  if (empty()) return Error::BadRequest(kNoCallbacks);
  if (addresses.empty()) return Error::BadRequest("callback_url's host " + url.host + " has no address");
  const bool name_allowed = !url.ip && NameAllowed(url.host);
  for (const IpAddress& a : addresses) {
    if (Covered(a)) continue;
    if (!name_allowed) {
      if (url.ip) return NotAllowed(url);
      return Error::BadRequest("callback_url's host " + url.host + " resolves to " + a.ToString() +
                               ", which this service's --callback-allow list does not admit");
    }
    const std::string_view kind = SpecialAddressKind(a);
    if (kind.empty()) continue;
    return Error::BadRequest("callback_url's host " + url.host + " resolves to " + a.ToString() + ", a " +
                             std::string(kind) +
                             " address; such addresses receive callbacks only when an IP address or CIDR range "
                             "of the service's --callback-allow list covers them");
  }
  return std::nullopt;
}

Result<CallbackTarget> CallbackPolicy::Check(std::string_view url, const Resolver& resolve) const {
  if (empty()) return Error::BadRequest(kNoCallbacks);
  Result<CallbackUrl> u = ParseCallbackUrl(url);
  if (!u.ok()) return u.error();
  if (auto e = CheckHost(*u)) return *e;
  CallbackTarget target{*u, {}};
  if (u->ip) {
    target.addresses = {*u->ip};
  } else {
    Result<std::vector<IpAddress>> resolved = resolve(u->host);
    if (!resolved.ok()) return resolved.error();
    target.addresses = std::move(*resolved);
  }
  if (auto e = CheckAddresses(target.url, target.addresses)) return *e;
  return target;
}

// ---- signatures ---------------------------------------------------------------

Result<std::string> LoadCallbackSecret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::BadRequest("cannot read the callback secret file " + path);
  std::string text(kMaxSecretFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Error::BadRequest("cannot read the callback secret file " + path);
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxSecretFileBytes) {
    return Error::BadRequest("the callback secret file " + path + " is larger than " +
                             std::to_string(kMaxSecretFileBytes) + " bytes; its first line is the key");
  }
  std::string secret = text.substr(0, text.find('\n'));
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.empty()) {
    return Error::BadRequest("the callback secret file " + path + " is empty; its first line is the key");
  }
  return secret;
}

namespace {

std::string HmacHex(std::string_view secret, std::int64_t unix_seconds, std::string_view body) {
  const std::string message = std::to_string(unix_seconds) + "." + std::string(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length) == nullptr) {
    return std::string();
  }
  return LowerHexOf(mac, length);
}

}  // namespace

std::string CallbackSignature(std::string_view secret, std::int64_t unix_seconds, std::string_view body) {
  return "t=" + std::to_string(unix_seconds) + ",v1=" + HmacHex(secret, unix_seconds, body);
}

SignatureCheck VerifyCallbackSignature(std::string_view header, std::string_view body, std::string_view secret,
                                       std::chrono::seconds tolerance, std::chrono::system_clock::time_point now) {
  std::optional<std::int64_t> t;
  std::vector<std::string_view> v1;
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    const std::string_view element = Trim(header.substr(0, comma));
    header.remove_prefix(comma == std::string_view::npos ? header.size() : comma + 1);
    const std::size_t eq = element.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = element.substr(0, eq), value = element.substr(eq + 1);
    if (key == "t") {
      if (value.empty() || value.size() > 18 || !std::all_of(value.begin(), value.end(), IsDigit)) {
        return SignatureCheck::kMalformed;
      }
      t = std::stoll(std::string(value));
    } else if (key == "v1") {
      v1.push_back(value);
    }
  }
  if (!t || v1.empty()) return SignatureCheck::kMalformed;
  const std::int64_t now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t skew = now_seconds > *t ? now_seconds - *t : *t - now_seconds;
  if (skew > tolerance.count()) return SignatureCheck::kOutsideTolerance;
  const std::string expected = HmacHex(secret, *t, body);
  bool match = false;
  for (const std::string_view candidate : v1) {
    if (candidate.size() == expected.size() && !expected.empty() &&
        CRYPTO_memcmp(candidate.data(), expected.data(), expected.size()) == 0) {
      match = true;
    }
  }
  return match ? SignatureCheck::kValid : SignatureCheck::kMismatch;
}

// ---- delivery -------------------------------------------------------------------

CallbackSender::CallbackSender(CallbackPolicy policy, std::string secret, const CallbackOptions& options,
                               Metrics* metrics)
    : policy_(std::move(policy)),
      secret_(std::move(secret)),
      options_(options),
      user_agent_("pactum/" PACTUM_VERSION),
      rng_(std::random_device{}()) {
  if (metrics != nullptr) {
    outcomes_ = &metrics->AddCounter("pactum_callbacks_total",
                                     "Callbacks by outcome: delivered, failed (given up), dropped (queue full), "
                                     "abandoned (the service stopped)");
    attempts_ = &metrics->AddCounter("pactum_callback_attempts_total",
                                     "Callback attempts by result: the receiver's status class, a connection or "
                                     "resolver error, or refused by the allow list");
    for (const char* o : {"delivered", "failed", "dropped", "abandoned"}) outcomes_->Add({{"outcome", o}});
  }
  const int threads = std::max(1, options_.threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

CallbackSender::~CallbackSender() { Stop(); }

void CallbackSender::Count(std::string_view outcome) {
  if (outcomes_ != nullptr) outcomes_->Add({{"outcome", std::string(outcome)}}).Increment();
}

Result<std::string> CallbackSender::Enqueue(std::string url, std::string body, std::string event) {
  Delivery d{NewDeliveryId(), std::move(url), std::move(body), std::move(event), 0};
  const std::string id = d.id;
  const std::string where = RedactedForLog(d.url);
  {
    MutexLock lock(&mu_);
    if (stopping_) return Error::Overloaded("the service is stopping; the callback is not sent");
    if (waiting_.size() + sending_ < options_.max_pending) {
      waiting_.emplace(Clock::now(), std::move(d));
      cv_.Signal();
      return id;
    }
  }
  spdlog::error("callback {} to {} dropped: {} callbacks are held already, the most this service keeps", id, where,
                options_.max_pending);
  Count("dropped");
  return Error::Overloaded("too many callbacks are waiting; this one is not sent");
}

std::size_t CallbackSender::Pending() const {
  MutexLock lock(&mu_);
  return waiting_.size() + sending_;
}

std::optional<CallbackSender::Delivery> CallbackSender::Next() {
  MutexLock lock(&mu_);
  while (!stopping_) {
    if (waiting_.empty()) {
      cv_.Wait(&mu_);
      continue;
    }
    const auto first = waiting_.begin();
    const Clock::time_point due = first->first;
    if (due > Clock::now()) {
      cv_.WaitUntil(&mu_, due);
      continue;
    }
    Delivery d = std::move(first->second);
    waiting_.erase(first);
    ++sending_;
    return d;
  }
  return std::nullopt;
}

void CallbackSender::Run() {
  while (std::optional<Delivery> d = Next()) {
    const Clock::time_point start = Clock::now();
    const AttemptResult r = Attempt(*d);
    Finish(std::move(*d), r, Clock::now() - start);
  }
}

CallbackSender::AttemptResult CallbackSender::Attempt(const Delivery& d) {
  // The same check as at submission, with a fresh look-up: the name may
  // point elsewhere by now.
  bool resolver_failed = false;
  Result<CallbackTarget> target = policy_.Check(d.url, [&resolver_failed](const std::string& host) {
    Result<std::vector<IpAddress>> r = ResolveHost(host);
    resolver_failed = !r.ok();
    return r;
  });
  if (!target.ok()) {
    if (resolver_failed) return {Outcome::kRetry, "error", target.error().message};
    return {Outcome::kGiveUp, "refused", target.error().message};
  }
  return Send(d, *target);
}

CallbackSender::AttemptResult CallbackSender::Send(const Delivery& d, const CallbackTarget& target) {
  const CallbackUrl& url = target.url;
  std::shared_ptr<httplib::ClientImpl> client;
  if (url.https) {
    auto ssl = std::make_shared<httplib::SSLClient>(url.host, url.port);
    if (!options_.ca_file.empty()) ssl->set_ca_cert_path(options_.ca_file);
    ssl->enable_server_certificate_verification(true);
    client = std::move(ssl);
  } else {
    client = std::make_shared<httplib::ClientImpl>(url.host, url.port);
  }
  const auto timeout = std::chrono::duration_cast<std::chrono::microseconds>(options_.timeout);
  client->set_connection_timeout(timeout);
  client->set_read_timeout(timeout);
  client->set_write_timeout(timeout);
  client->set_follow_location(false);
  client->set_keep_alive(false);
  client->set_url_encode(false);  // the path and query go out as given (checked: printable ASCII)
  client->set_decompress(false);
  {
    MutexLock lock(&mu_);
    if (stopping_) return {Outcome::kAbandoned, "error", "the service is stopping"};
    clients_.push_back(client);
  }
  AttemptResult result{Outcome::kRetry, "error", ""};
  for (const IpAddress& address : target.addresses) {
    // The connection goes to the checked address; host name, Host header,
    // TLS server name and certificate check stay those of the URL.
    client->set_hostname_addr_map({{url.host, address.ToString()}});
    httplib::Request req;
    req.method = "POST";
    req.path = url.target;
    req.headers = {{"Host", url.authority},
                   {"Content-Type", "application/json"},
                   {"User-Agent", user_agent_},
                   {"Pactum-Event", d.event},
                   {"Pactum-Delivery", d.id}};
    if (!secret_.empty()) {
      const std::int64_t now =
          std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
      req.headers.emplace("Pactum-Signature", CallbackSignature(secret_, now, d.body));
    }
    req.body = d.body;
    int status = 0;
    std::size_t answer_bytes = 0;
    req.response_handler = [&status](const httplib::Response& res) {
      status = res.status;
      return true;
    };
    req.content_receiver = [&answer_bytes](const char*, std::size_t n, std::uint64_t, std::uint64_t) {
      answer_bytes += n;
      return answer_bytes <= kMaxAnswerBytes;
    };
    httplib::Response res;
    httplib::Error error = httplib::Error::Success;
    // The status: of the answer when it was read whole; from the handler
    // when the body was cut off at kMaxAnswerBytes (a 204 has no body and
    // skips the handler).
    if (client->send(req, res, error)) status = res.status;
    const std::string at = " (" + address.ToString() + ")";
    if (status >= 200 && status < 300) {
      result = {Outcome::kDelivered, "2xx", "HTTP " + std::to_string(status) + at};
    } else if (status == 408 || status == 429 || status >= 500) {
      result = {Outcome::kRetry, std::to_string(status / 100) + "xx", "HTTP " + std::to_string(status) + at};
    } else if (status != 0) {
      result = {Outcome::kGiveUp, std::to_string(status / 100) + "xx",
                "HTTP " + std::to_string(status) + at + (status < 400 ? ": redirects are not followed" : "")};
    } else {
      result = {Outcome::kRetry, "error", httplib::to_string(error) + at};
      // Not reached at this address: try the host's next one.
      if (error == httplib::Error::Connection || error == httplib::Error::ConnectionTimeout) continue;
    }
    break;
  }
  MutexLock lock(&mu_);
  clients_.erase(std::find(clients_.begin(), clients_.end(), client));
  return result;
}

void CallbackSender::Finish(Delivery d, const AttemptResult& r, Clock::duration took) {
  ++d.attempts;
  if (attempts_ != nullptr) attempts_->Add({{"result", r.result}}).Increment();
  const int max_attempts = static_cast<int>(options_.retry_delays.size()) + 1;
  const std::string where = RedactedForLog(d.url);
  const std::string id = d.id;
  const int attempt = d.attempts;
  Outcome outcome = r.outcome;
  std::chrono::milliseconds delay{0};
  {
    MutexLock lock(&mu_);
    --sending_;
    if (outcome == Outcome::kRetry && stopping_) outcome = Outcome::kAbandoned;
    if (outcome == Outcome::kRetry && attempt < max_attempts) {
      const double jitter = std::clamp(options_.jitter, 0.0, 1.0);
      std::uniform_real_distribution<double> spread(1.0 - jitter, 1.0 + jitter);
      const auto base = options_.retry_delays[static_cast<std::size_t>(attempt - 1)];
      delay = std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(base.count()) * spread(rng_)));
      waiting_.emplace(Clock::now() + delay, std::move(d));
      cv_.Signal();
    }
    cv_.SignalAll();  // Stop() waits for the attempts in flight
  }
  const double ms = Seconds(took) * 1000;
  switch (outcome) {
    case Outcome::kDelivered:
      spdlog::info("callback {} to {} delivered: {}, attempt {}/{}, {:.0f} ms", id, where, r.detail, attempt,
                   max_attempts, ms);
      Count("delivered");
      return;
    case Outcome::kRetry:
      if (attempt < max_attempts) {
        spdlog::warn("callback {} to {} failed: {}, attempt {}/{}, {:.0f} ms; retry in {:.1f} s", id, where, r.detail,
                     attempt, max_attempts, ms, std::chrono::duration<double>(delay).count());
        return;
      }
      spdlog::error("callback {} to {} given up after {} attempts: {}", id, where, attempt, r.detail);
      Count("failed");
      return;
    case Outcome::kGiveUp:
      spdlog::error("callback {} to {} given up: {}, attempt {}/{}, {:.0f} ms", id, where, r.detail, attempt,
                    max_attempts, ms);
      Count("failed");
      return;
    case Outcome::kAbandoned:
      spdlog::warn("callback {} to {} not delivered: the service is stopping ({} attempts made; the last: {})", id,
                   where, attempt, r.detail.empty() ? "cut off" : r.detail);
      Count("abandoned");
      return;
  }
}

void CallbackSender::Stop() {
  MutexLock stop_lock(&stop_mu_);
  if (threads_.empty()) return;
  std::vector<std::shared_ptr<httplib::ClientImpl>> in_flight;
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    cv_.SignalAll();
  }
  // Attempts in flight are cut off (an attempt still connecting finishes
  // its connect first, within the timeout); then the threads end.
  while (true) {
    {
      MutexLock lock(&mu_);
      if (sending_ == 0) break;
      in_flight = clients_;
    }
    for (const auto& client : in_flight) client->stop();
    in_flight.clear();
    MutexLock lock(&mu_);
    if (sending_ > 0) cv_.WaitUntil(&mu_, Clock::now() + std::chrono::milliseconds(20));
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  std::multimap<Clock::time_point, Delivery> left;
  {
    MutexLock lock(&mu_);
    left.swap(waiting_);
  }
  for (const auto& entry : left) {
    const Delivery& d = entry.second;
    spdlog::warn("callback {} to {} not delivered: the service is stopping ({} attempts made)", d.id,
                 RedactedForLog(d.url), d.attempts);
    Count("abandoned");
  }
}

Result<std::unique_ptr<CallbackSender>> StartCallbackSender(const CallbackOptions& options, Metrics* metrics) {
  Result<CallbackPolicy> policy = CallbackPolicy::Parse(options.allow);
  if (!policy.ok()) return policy.error();
  std::string secret;
  if (!options.secret_file.empty()) {
    Result<std::string> s = LoadCallbackSecret(options.secret_file);
    if (!s.ok()) return s.error();
    secret = std::move(*s);
  }
  if (!options.ca_file.empty()) {
    X509_STORE* store = X509_STORE_new();
    const bool loaded = store != nullptr && X509_STORE_load_file(store, options.ca_file.c_str()) == 1;
    X509_STORE_free(store);
    if (!loaded) {
      return Error::BadRequest("cannot use the callback CA file " + options.ca_file +
                               " (unreadable, or no PEM certificate in it)");
    }
  }
  if (policy->empty()) {
    if (!secret.empty()) spdlog::warn("a callback secret is configured but no --callback-allow: no callbacks are sent");
    return std::unique_ptr<CallbackSender>();
  }
  std::string schedule;
  for (const std::chrono::milliseconds d : options.retry_delays) {
    schedule += (schedule.empty() ? "" : ", ") + fmt::format("{:g} s", std::chrono::duration<double>(d).count());
  }
  spdlog::info("callbacks: {} allow-list entries, {}, retries after {}", options.allow.size(),
               secret.empty() ? "unsigned" : "signed (Pactum-Signature)", schedule.empty() ? "none" : schedule);
  if (secret.empty()) {
    spdlog::warn("callbacks are allowed (--callback-allow) without --callback-secret-file: they are sent unsigned, "
                 "and receivers cannot tell them from anybody else's requests");
  }
  return std::make_unique<CallbackSender>(std::move(*policy), std::move(secret), options, metrics);
}

}  // namespace pactum::service
