// Helpers of the archive tests: fresh stores of each back end, records.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "pactum/models/digest.h"

namespace storetest {

using pactum::Sha256Hex;

// An agreement record of `bytes` (a PDF) with `agreement` as its agreement.
inline std::string MakeRecord(const std::string& bytes, const nlohmann::json& agreement) {
  nlohmann::ordered_json r;
  r["id"] = Sha256Hex(bytes);
  r["document"] = {{"media_type", "application/pdf"}, {"bytes", bytes.size()}};
  r["agreement"] = agreement;
  r["signatures"] = nlohmann::json::array();
  r["warnings"] = nlohmann::json::array();
  return r.dump();
}

// The URI of the fixture's PostgreSQL server (tests/store/postgres.sh), or
// "" (with a test failure) when it is not running.
inline std::string FixturePostgresUri() {
  std::ifstream in(std::string(PACTUM_TEST_POSTGRES_STATE) + "/uri");
  std::string uri;
  std::getline(in, uri);
  if (uri.empty()) {
    ADD_FAILURE() << "no PostgreSQL server: " << PACTUM_TEST_POSTGRES_STATE
                  << "/uri is missing; run the tests through ctest, which starts one (tests/store/postgres.sh)";
  }
  return uri;
}

// A URI naming an empty store of `kind` ("sqlite" or "postgresql") that no
// other test uses: a new file, or a new database on the fixture's server.
inline std::string FreshStoreUri(const std::string& kind) {
  static std::atomic<int> counter{0};
  const std::string name = "pactum_t" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1));
  if (kind == "sqlite") {
    // A file left by an earlier run whose process had the same id is not fresh.
    const std::string path = ::testing::TempDir() + name + ".db";
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path + suffix).c_str());
    return "sqlite:" + path;
  }
  const std::string base = FixturePostgresUri();
  if (base.empty()) return "";
  PGconn* c = PQconnectdb(base.c_str());
  PGresult* r = PQexec(c, ("CREATE DATABASE " + name).c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  if (!ok) ADD_FAILURE() << "CREATE DATABASE " << name << ": " << PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  if (!ok) return "";
  return base.substr(0, base.rfind('/') + 1) + name;
}

// A loopback port that nothing listens on.
inline int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace storetest
