// The postgres prober: libpq's non-blocking API (PQconnectStartParams,
// PQconnectPoll, PQsendQuery) driven by poll() so that connecting,
// authenticating and querying all stop at the probe's deadline.
#include <libpq-fe.h>
#include <poll.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/strings.h"
#include "probe/conn.h"
#include "probe/internal/probers.h"

namespace pharos::probe::internal {
namespace {

using PgConn = std::unique_ptr<PGconn, void (*)(PGconn*)>;

// Waits for the socket; false on timeout or error.
bool WaitSocket(PGconn* c, bool for_write, absl::Time deadline) {
  int fd = PQsocket(c);
  if (fd < 0) return false;
  while (true) {
    int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) return false;
    pollfd p{fd, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(ms, 1'000'000)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

std::string PqError(PGconn* c) {
  std::string s = PQerrorMessage(c);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Runs `sql` and returns the first column of the first row ("" when none).
absl::StatusOr<std::string> QueryFirst(PGconn* c, const std::string& sql, absl::Time deadline, int* rows) {
  if (PQsendQuery(c, sql.c_str()) != 1) return absl::UnavailableError(PqError(c));
  std::string first;
  bool have_first = false;
  std::string error;
  *rows = 0;
  while (true) {
    while (PQisBusy(c)) {
      if (!WaitSocket(c, false, deadline)) {
        // Ask the server to stop; the connection is dropped afterwards anyway.
        if (PGcancel* cancel = PQgetCancel(c)) {
          char buf[256];
          PQcancel(cancel, buf, sizeof buf);
          PQfreeCancel(cancel);
        }
        return absl::DeadlineExceededError("query timed out");
      }
      if (PQconsumeInput(c) != 1) return absl::UnavailableError(PqError(c));
    }
    PGresult* res = PQgetResult(c);
    if (res == nullptr) break;
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK || st == PGRES_SINGLE_TUPLE) {
      *rows += PQntuples(res);
      if (!have_first && PQntuples(res) > 0 && PQnfields(res) > 0) {
        first = PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0);
        have_first = true;
      }
    } else if (st != PGRES_COMMAND_OK && error.empty()) {
      error = PQresultErrorMessage(res);
      while (!error.empty() && error.back() == '\n') error.pop_back();
    }
    PQclear(res);
  }
  if (!error.empty()) return absl::FailedPreconditionError(error);
  return first;
}

}  // namespace

bool ProbePostgres(const config::PostgresProbeConfig& c, std::string_view target, absl::Time deadline,
                   ProbeResult* r) {
  r->Set("probe_postgres_up", 0);
  std::string host;
  uint16_t port = 0;
  if (!target.empty() && !target.starts_with("postgres")) {
    if (absl::Status s = SplitHostPort(target, &host, &port); !s.ok()) {
      r->Fail(SV(s.message()));
      return false;
    }
  }
  std::string password;
  if (!c.password.empty()) {
    auto p = config::ResolvePassword(c.password);
    if (!p.ok()) {
      r->Fail(absl::StrCat("password: ", p.status().message()));
      return false;
    }
    password = *p;
  }
  // Later keywords override what the DSN (expanded from the first "dbname") says.
  std::vector<const char*> keys, values;
  std::string dsn = target.starts_with("postgres") ? std::string(target) : c.dsn;
  std::string port_s = port ? std::to_string(port) : "";
  auto add = [&](const char* k, const std::string& v) {
    if (v.empty()) return;
    keys.push_back(k);
    values.push_back(v.c_str());
  };
  add("dbname", dsn);
  add("host", host);
  add("port", port_s);
  add("user", c.user);
  add("password", password);
  if (!c.database.empty()) add("dbname", c.database);
  add("sslmode", c.sslmode);
  const std::string app = "pharos-probe";
  add("application_name", app);
  keys.push_back(nullptr);
  values.push_back(nullptr);

  absl::Time start = absl::Now();
  r->Info(absl::StrCat("Connecting to PostgreSQL target=", AV(target)));
  PgConn conn(PQconnectStartParams(keys.data(), values.data(), 1), PQfinish);
  if (conn == nullptr) {
    r->Fail("out of memory");
    return false;
  }
  if (PQstatus(conn.get()) == CONNECTION_BAD) {
    r->Fail(absl::StrCat("Error connecting to PostgreSQL: ", PqError(conn.get())));
    return false;
  }
  PostgresPollingStatusType poll_status = PGRES_POLLING_WRITING;
  while (poll_status != PGRES_POLLING_OK) {
    if (poll_status == PGRES_POLLING_FAILED) {
      r->Fail(absl::StrCat("Error connecting to PostgreSQL: ", PqError(conn.get())));
      return false;
    }
    if (!WaitSocket(conn.get(), poll_status == PGRES_POLLING_WRITING, deadline)) {
      r->Fail("Error connecting to PostgreSQL: timeout");
      return false;
    }
    poll_status = PQconnectPoll(conn.get());
  }
  r->Set("probe_postgres_connect_duration_seconds", absl::ToDoubleSeconds(absl::Now() - start));
  r->Set("probe_postgres_up", 1);
  r->Set("probe_postgres_server_version", PQserverVersion(conn.get()));
  const char* hot = PQparameterStatus(conn.get(), "in_hot_standby");
  if (hot != nullptr) r->Set("probe_postgres_in_recovery", std::string_view(hot) == "on" ? 1 : 0);
  r->Info(absl::StrCat("Connected server_version=", PQserverVersion(conn.get())));

  r->Set("probe_postgres_query_success", 0);
  absl::Time qstart = absl::Now();
  int rows = 0;
  auto first = QueryFirst(conn.get(), c.query, deadline, &rows);
  r->Set("probe_postgres_query_duration_seconds", absl::ToDoubleSeconds(absl::Now() - qstart));
  if (!first.ok()) {
    r->Fail(absl::StrCat("Query failed: ", first.status().message()));
    return false;
  }
  r->Info(absl::StrCat("Query returned rows=", rows, " first_value=", *first));
  if (c.expected && *first != *c.expected) {
    r->Fail(absl::StrCat("Query returned ", *first, ", expected ", *c.expected));
    return false;
  }
  r->Set("probe_postgres_query_success", 1);
  return true;
}

}  // namespace pharos::probe::internal
