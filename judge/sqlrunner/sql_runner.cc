// sql-runner: runs one candidate query against a fresh in-memory SQLite database, inside the
// sandbox.
//   sql-runner --fixture FIXTURE.sql --query QUERY.sql [--time-ms N] [--heap-mib N]
// The fixture runs with full rights; then the database is made query-only, an authorizer allows
// only reads and an allow-list of functions, and exactly one read-only statement returning
// columns may run. The result goes to stdout in the typed canonical form (judge/core/sql_format.h).
// Exit codes: judge/core/sql_exit_codes.h. The message is on stderr, one line.
#include <sqlite3.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "judge/core/sql_exit_codes.h"
#include "judge/core/sql_format.h"

namespace {

using namespace judge::sqlrunner;  // NOLINT: the exit codes

// Functions a read-only query may call: core scalar and aggregate functions, date/time, math.
// No load_extension, no randomness, nothing that reads files or the environment.
const std::set<std::string> kAllowedFunctions = {"abs",
                                                 "avg",
                                                 "cast",
                                                 "char",
                                                 "coalesce",
                                                 "count",
                                                 "date",
                                                 "datetime",
                                                 "format",
                                                 "glob",
                                                 "group_concat",
                                                 "hex",
                                                 "ifnull",
                                                 "iif",
                                                 "instr",
                                                 "julianday",
                                                 "length",
                                                 "like",
                                                 "likelihood",
                                                 "likely",
                                                 "lower",
                                                 "ltrim",
                                                 "max",
                                                 "min",
                                                 "nullif",
                                                 "printf",
                                                 "quote",
                                                 "replace",
                                                 "round",
                                                 "rtrim",
                                                 "sign",
                                                 "strftime",
                                                 "string_agg",
                                                 "substr",
                                                 "substring",
                                                 "sum",
                                                 "time",
                                                 "total",
                                                 "trim",
                                                 "typeof",
                                                 "unicode",
                                                 "unlikely",
                                                 "upper",
                                                 "zeroblob",
                                                 "unixepoch",
                                                 "ceil",
                                                 "ceiling",
                                                 "floor",
                                                 "trunc",
                                                 "ln",
                                                 "log",
                                                 "log10",
                                                 "log2",
                                                 "exp",
                                                 "pow",
                                                 "power",
                                                 "sqrt",
                                                 "mod",
                                                 "pi",
                                                 "row_number",
                                                 "rank",
                                                 "dense_rank",
                                                 "percent_rank",
                                                 "cume_dist",
                                                 "ntile",
                                                 "lag",
                                                 "lead",
                                                 "first_value",
                                                 "last_value",
                                                 "nth_value",
                                                 "json",
                                                 "json_extract",
                                                 "json_array",
                                                 "json_object",
                                                 "json_array_length",
                                                 "json_type",
                                                 "json_valid",
                                                 "json_quote",
                                                 "json_group_array",
                                                 "json_group_object",
                                                 "concat",
                                                 "concat_ws",
                                                 "octet_length"};

std::string g_refusal;  // the authorizer's reason, for a precise message
timespec g_deadline{};
bool g_timed_out = false;

int Authorizer(void*, int action, const char* a, const char* b, const char*, const char*) {
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_FUNCTION: {
      std::string name = b ? b : "";
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (kAllowedFunctions.count(name)) return SQLITE_OK;
      g_refusal = "function " + name + "() is not allowed";
      return SQLITE_DENY;
    }
    case SQLITE_PRAGMA:
      g_refusal = std::string("PRAGMA is not allowed") + (a ? std::string(" (") + a + ")" : "");
      return SQLITE_DENY;
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
      g_refusal = "ATTACH and DETACH are not allowed";
      return SQLITE_DENY;
    case SQLITE_TRANSACTION:
    case SQLITE_SAVEPOINT:
      g_refusal = "transactions are not allowed";
      return SQLITE_DENY;
    default:
      g_refusal = "only a read-only SELECT is allowed (no writes, schema changes or VACUUM)";
      return SQLITE_DENY;
  }
}

int Progress(void*) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (now.tv_sec > g_deadline.tv_sec ||
      (now.tv_sec == g_deadline.tv_sec && now.tv_nsec >= g_deadline.tv_nsec)) {
    g_timed_out = true;
    return 1;
  }
  return 0;
}

bool ReadFile(const char* path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

int Fail(int code, const std::string& message) {
  std::string line = message;
  for (char& c : line) {
    if (c == '\n') c = ' ';
  }
  std::fprintf(stderr, "%s\n", line.c_str());
  return code;
}

// True when `rest` holds only whitespace, semicolons and comments.
bool OnlyTrailingNoise(const char* rest) {
  const char* p = rest;
  while (*p) {
    if (std::isspace(static_cast<unsigned char>(*p)) || *p == ';') {
      ++p;
    } else if (p[0] == '-' && p[1] == '-') {
      while (*p && *p != '\n') ++p;
    } else if (p[0] == '/' && p[1] == '*') {
      const char* end = std::strstr(p + 2, "*/");
      if (!end) return true;  // an unterminated comment at the end is still just a comment
      p = end + 2;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

namespace {

struct Args {
  const char* fixture_path = nullptr;
  const char* query_path = nullptr;
  long time_ms = 10000;
  long heap_mib = 256;
  bool timing = false;
  bool help = false;
};

// kOk with `args` filled, or the exit code of a usage error (already reported).
int ParseArgs(int argc, char** argv, Args* args) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::printf(
          "usage: sql-runner --fixture FILE --query FILE [--time-ms N] [--heap-mib N] [--timing]\n"
          "Runs one read-only query on a fresh in-memory SQLite database built by FILE.\n"
          "Exit: 0 ok, 1 runtime error, 2 usage/fixture error, 3 query refused or not\n"
          "preparable, 4 time limit, 5 memory limit.\n");
      args->help = true;
      return kOk;
    }
    if (a == "--timing") {
      args->timing = true;
      continue;
    }
    if (i + 1 >= argc) return Fail(kUsage, "sql-runner: " + a + " needs a value (see --help)");
    if (a == "--fixture") {
      args->fixture_path = argv[++i];
    } else if (a == "--query") {
      args->query_path = argv[++i];
    } else if (a == "--time-ms") {
      args->time_ms = std::atol(argv[++i]);
    } else if (a == "--heap-mib") {
      args->heap_mib = std::atol(argv[++i]);
    } else {
      return Fail(kUsage, "sql-runner: unknown option " + a + " (see --help)");
    }
  }
  if (!args->fixture_path || !args->query_path) {
    return Fail(kUsage, "sql-runner: --fixture and --query are required (see --help)");
  }
  return kOk;
}

// Closed on every return path.
struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// A fresh in-memory database, hardened: no schema tricks, no attached files, no extensions.
Db OpenDatabase() {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return Db();
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_limit(raw, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_limit(raw, SQLITE_LIMIT_LENGTH, 16 << 20);
  sqlite3_limit(raw, SQLITE_LIMIT_SQL_LENGTH, 1 << 20);
  return db;
}

// Runs the fixture, then makes the database query-only.
int BuildFixture(sqlite3* db, const std::string& fixture) {
  char* err = nullptr;
  if (sqlite3_exec(db, fixture.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = std::string("fixture failed: ") + (err ? err : "?");
    sqlite3_free(err);
    return Fail(kUsage, msg);
  }
  if (sqlite3_exec(db, "PRAGMA query_only = 1;", nullptr, nullptr, &err) != SQLITE_OK) {
    sqlite3_free(err);
    return Fail(kUsage, "cannot make the database query-only");
  }
  return kOk;
}

// The query's own deadline (just under the sandbox's CPU limit), checked by Progress.
void StartDeadline(sqlite3* db, long time_ms) {
  sqlite3_set_authorizer(db, Authorizer, nullptr);
  clock_gettime(CLOCK_MONOTONIC, &g_deadline);
  g_deadline.tv_sec += time_ms / 1000;
  g_deadline.tv_nsec += (time_ms % 1000) * 1000000L;
  if (g_deadline.tv_nsec >= 1000000000L) {
    g_deadline.tv_sec++;
    g_deadline.tv_nsec -= 1000000000L;
  }
  sqlite3_progress_handler(db, 10000, Progress, nullptr);
}

// Exactly one read-only statement that returns columns; kOk with `stmt` set, else refused.
int PrepareQuery(sqlite3* db, const std::string& query, Stmt* stmt) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db, query.c_str(), static_cast<int>(query.size()), &raw, &tail);
  stmt->reset(raw);
  if (rc != SQLITE_OK) {
    if (!g_refusal.empty()) return Fail(kRefused, g_refusal);
    return Fail(kRefused, sqlite3_errmsg(db));
  }
  if (raw == nullptr) return Fail(kRefused, "the query is empty");
  if (tail && !OnlyTrailingNoise(tail)) {
    return Fail(kRefused, "exactly one statement is allowed; found more after the first");
  }
  if (!sqlite3_stmt_readonly(raw)) return Fail(kRefused, "only a read-only SELECT is allowed");
  if (sqlite3_column_count(raw) == 0) return Fail(kRefused, "the statement returns no columns");
  return kOk;
}

judge::SqlValue ColumnValue(sqlite3_stmt* stmt, int c) {
  judge::SqlValue v;
  switch (sqlite3_column_type(stmt, c)) {
    case SQLITE_NULL:
      v.type = judge::SqlValue::kNull;
      break;
    case SQLITE_INTEGER:
      v.type = judge::SqlValue::kInteger;
      v.integer = sqlite3_column_int64(stmt, c);
      break;
    case SQLITE_FLOAT:
      v.type = judge::SqlValue::kReal;
      v.real = sqlite3_column_double(stmt, c);
      break;
    case SQLITE_TEXT:
      v.type = judge::SqlValue::kText;
      v.text.assign(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)),
                    sqlite3_column_bytes(stmt, c));
      break;
    default:
      v.type = judge::SqlValue::kBlob;
      v.text.assign(static_cast<const char*>(sqlite3_column_blob(stmt, c)),
                    sqlite3_column_bytes(stmt, c));
  }
  return v;
}

// The result in the typed canonical form (judge/core/sql_format.h), on stdout as it comes.
int StreamRows(sqlite3* db, sqlite3_stmt* stmt) {
  const int cols = sqlite3_column_count(stmt);
  std::string out;
  std::vector<std::string> names;
  for (int c = 0; c < cols; ++c) names.push_back(sqlite3_column_name(stmt, c));
  out += judge::FormatSqlHeader(names) + "\n";
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    for (int c = 0; c < cols; ++c) {
      if (c) out += '\t';
      out += judge::FormatSqlValue(ColumnValue(stmt, c));
    }
    out += '\n';
    if (out.size() > (1u << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  if (rc != SQLITE_DONE) {
    if (g_timed_out) return Fail(kTime, "time limit: the query was interrupted");
    if (rc == SQLITE_NOMEM) return Fail(kMemory, "memory limit: the query ran out of heap");
    return Fail(kRuntime, sqlite3_errmsg(db));
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kOk;
}

double Ms(const timespec& a, const timespec& b) {
  return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (int rc = ParseArgs(argc, argv, &args); rc != kOk || args.help) return rc;
  std::string fixture, query;
  if (!ReadFile(args.fixture_path, &fixture)) return Fail(kUsage, "cannot read the fixture");
  if (!ReadFile(args.query_path, &query)) return Fail(kUsage, "cannot read the query");
  sqlite3_hard_heap_limit64(args.heap_mib << 20);
  Db db = OpenDatabase();
  if (!db) return Fail(kUsage, "cannot open the in-memory database");
  timespec t0{}, t1{}, t2{};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (int rc = BuildFixture(db.get(), fixture); rc != kOk) return rc;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  StartDeadline(db.get(), args.time_ms);
  Stmt stmt;
  if (int rc = PrepareQuery(db.get(), query, &stmt); rc != kOk) return rc;
  if (int rc = StreamRows(db.get(), stmt.get()); rc != kOk) return rc;
  if (args.timing) {
    clock_gettime(CLOCK_MONOTONIC, &t2);
    std::fprintf(stderr, "fixture_ms=%.1f query_ms=%.1f\n", Ms(t0, t1), Ms(t1, t2));
  }
  return kOk;
}
