#include "postgres_db.h"

#include <climits>

namespace pactum::store {

ResultPtr Params::Exec(PGconn* conn, const std::string& sql) const {
  std::vector<const char*> values;
  std::vector<int> lengths;
  for (std::size_t i = 0; i < values_.size(); ++i) {
    // libpq takes lengths as int: a larger value cannot be sent (the
    // caller sees a failed statement).
    if (values_[i].size() > static_cast<std::size_t>(INT_MAX)) return ResultPtr(nullptr, &PQclear);
    values.push_back(null_[i] ? nullptr : values_[i].data());
    lengths.push_back(static_cast<int>(values_[i].size()));
  }
  return ResultPtr(PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                lengths.data(), formats_.data(), /*resultFormat=*/1),
                   &PQclear);
}

PGconn* Connect(const std::string& conninfo) {
  const char* keys[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"10", conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  // Notices (e.g. a text-search query of stop words only) would go to
  // stderr past the JSON log: they carry nothing a caller acts on.
  if (conn != nullptr) PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return conn;
}

bool Succeeded(const ResultPtr& r) {
  const ExecStatusType s = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

ResultPtr Exec(PGconn* conn, const char* sql) { return ResultPtr(PQexec(conn, sql), &PQclear); }

std::string Value(const ResultPtr& r, int row, int col) {
  return std::string(PQgetvalue(r.get(), row, col), static_cast<std::size_t>(PQgetlength(r.get(), row, col)));
}

std::int64_t Int64(const ResultPtr& r, int row, int col) {
  const std::string v = Value(r, row, col);
  std::uint64_t x = 0;
  for (const char c : v) x = (x << 8) | static_cast<unsigned char>(c);
  return static_cast<std::int64_t>(x);
}

std::string WithoutPassword(std::string uri) {
  // user:password@ in the authority.
  const auto scheme = uri.find("://");
  const auto at = uri.find('@');
  if (scheme != std::string::npos && at != std::string::npos) {
    const auto colon = uri.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) uri = uri.substr(0, colon + 1) + "***" + uri.substr(at);
  }
  // password=... as a URI parameter (?password=, &password=) or a
  // key=value connection string (password=... or password = '...').
  for (std::size_t from = 0;;) {
    const auto key = uri.find("password", from);
    if (key == std::string::npos) break;
    from = key + 8;
    const bool starts_key = key == 0 || uri[key - 1] == '?' || uri[key - 1] == '&' || uri[key - 1] == ' ';
    std::size_t eq = key + 8;
    while (eq < uri.size() && uri[eq] == ' ') ++eq;
    if (!starts_key || eq >= uri.size() || uri[eq] != '=') continue;
    std::size_t value = eq + 1;
    while (value < uri.size() && uri[value] == ' ') ++value;
    std::size_t end = value;
    if (end < uri.size() && uri[end] == '\'') {
      end = uri.find('\'', end + 1);
      end = end == std::string::npos ? uri.size() : end + 1;
    } else {
      while (end < uri.size() && uri[end] != '&' && uri[end] != ' ') ++end;
    }
    uri.replace(value, end - value, "***");
    from = value + 3;
  }
  return uri;
}

PGconn* ConnectionPool::Take() {
  PGconn* c = nullptr;
  {
    MutexLock lock(&mu_);
    while (idle_.empty() && open_ >= kConnections) cv_.Wait(&mu_);
    if (idle_.empty()) {
      ++open_;
    } else {
      c = idle_.back();
      idle_.pop_back();
    }
  }
  if (c == nullptr) return Connect(conninfo_);
  if (PQstatus(c) != CONNECTION_OK) PQreset(c);
  return c;
}

void ConnectionPool::Give(PGconn* c) {
  {
    MutexLock lock(&mu_);
    idle_.push_back(c);
  }
  cv_.Signal();
}

Error ConnectionPool::Failed(std::string_view subject, std::string_view what, PGconn* c) const {
  std::string why = c ? PQerrorMessage(c) : "no connection";
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  return Error::Overloaded(std::string(subject) + " (" + Describe() + ") failed to " + std::string(what) + ": " + why +
                           "; retry later");
}

}  // namespace pactum::store
