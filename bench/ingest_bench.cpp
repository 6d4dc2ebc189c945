// ingest_bench: durable WSB ingest through the bridge's webhook against SQLite alone.
//
// One run does, in this order:
//   1. starts `wsrm-bridge serve` with a [webhook] table (fresh database) and posts a few warm-up
//      messages per client; reads back what the bridge stored: the inbox_message DDL and the
//      values of the columns that do not depend on the message identifier;
//   2. creates, in this process, a fresh SQLite file next to the bridge's with the same DDL and
//      the same connection settings (journal_mode=WAL, synchronous=FULL), and inserts the same
//      warm-up rows with the bridge's INSERT statement, one transaction per row (the baseline);
//   3. runs alternating rounds (baseline first in odd rounds, bridge first in even ones): the
//      baseline inserts the round's messages from one thread, each row its own BEGIN IMMEDIATE +
//      INSERT + COMMIT, so every row is fsync'ed before the next; the bridge gets the same
//      messages POSTed by N client threads, each on its own keep-alive connection, and every
//      answer must be 200 with outcome "stored" for that BeskedIdentifier;
//   4. prints rows/s and messages/s, the ratio bridge/baseline, acknowledgement latency
//      percentiles and CPU per message; stops the bridge (it must exit cleanly) and checks, on the
//      two files opened read-only, that both tables hold the same rows: same count, and every
//      column except id and received_at_ms equal.
// Timings are reported, never asserted; the exit code is non-zero only when something was wrong.
// See bench/README.md.

#include "bench_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <latch>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using namespace bench;
namespace fs = std::filesystem;

#ifndef BRIDGE_BENCH_DEFAULT_BRIDGE
#define BRIDGE_BENCH_DEFAULT_BRIDGE ""
#endif
#ifndef BRIDGE_SOURCE_DIR
#define BRIDGE_SOURCE_DIR "."
#endif
#ifndef BRIDGE_BENCH_BUILD_TYPE
#define BRIDGE_BENCH_BUILD_TYPE "?"
#endif

// The recipient the messages are posted to; the bench configures one consumer for it.
constexpr int kRecipientType = 8;
constexpr const char* kRecipientCode = "44000";
constexpr const char* kConsumerOperation = "GetIndkaldelseVersion1";
// In the template, replaced by a fresh GUID per message.
constexpr std::string_view kPlaceholder = "xxxxxxxx-b4a7-44c7-9a30-8e89f52e575d";
// Requests per webhook connection: the listener's default (ListenerOptions); [webhook] has no key
// for it. The bridge closes the connection after this many requests.
constexpr int kWebhookKeepAliveMax = 100;

// The bridge's statement (bridge/store/sqlite/sqlite_inbox.cpp, SqliteInbox::store_batch). The
// final row comparison fails if the bridge starts storing anything else.
constexpr const char* kInsert =
    "INSERT INTO inbox_message (besked_identifier, received_at_ms, source, "
    "recipient_type, recipient_code, layout, raw, sha256, status, reason, "
    "detail, cpr, ekstern_identifier, entitetstype_id, aendringstype_id, "
    "miljoe, haendelses_tid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) "
    "ON CONFLICT (besked_identifier) DO NOTHING";

// Every column that must be equal in the two tables (not id, not received_at_ms).
constexpr const char* kComparedColumns =
    "besked_identifier, source, recipient_type, recipient_code, layout, raw, sha256, status, "
    "reason, detail, cpr, ekstern_identifier, entitetstype_id, aendringstype_id, miljoe, "
    "haendelses_tid, duplicates";

// ------------------------------------------------------------------------------------------
// Options

struct Options {
  std::string bridge = BRIDGE_BENCH_DEFAULT_BRIDGE;
  int messages = 6000;  // per server, all clients and rounds together
  int clients = 8;
  int rounds = 6;
  int workers = 8;
  int warmup = 10;     // per client, before the measurement, on both servers
  std::string db_dir;  // where both SQLite files live; default: the work directory
  std::string log_level = "info";
  std::string message =
      std::string(BRIDGE_SOURCE_DIR) + "/tests/fixtures/wsb/seed_flat_with_body.json";
  std::string wsdl_dir = std::string(BRIDGE_SOURCE_DIR) + "/wsdl";
  bool keep = false;
};

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: ingest_bench [options]\n"
               "  --bridge PATH      wsrm-bridge binary (default: %s)\n"
               "  --messages N       messages per server, all clients and rounds (default 6000)\n"
               "  --clients N        concurrent posting clients, one keep-alive connection each\n"
               "                     (default 8)\n"
               "  --rounds N         alternating baseline/bridge rounds (default 6)\n"
               "  --workers N        bridge [webhook] workers (default 8)\n"
               "  --warmup N         warm-up messages per client on both servers (default 10)\n"
               "  --db-dir DIR       directory of both SQLite files (default: the work directory\n"
               "                     under $TMPDIR or /tmp; /dev/shm takes fsync out)\n"
               "  --log-level LEVEL  bridge [log] level (default info, as in production)\n"
               "  --message FILE     WSB document template; must contain the BeskedIdentifier\n"
               "                     %.*s (default tests/fixtures/wsb/seed_flat_with_body.json)\n"
               "  --wsdl-dir DIR     contract directory for the bridge (default <source>/wsdl)\n"
               "  --keep             keep the work directory (config, databases, bridge.log)\n",
               BRIDGE_BENCH_DEFAULT_BRIDGE, static_cast<int>(kPlaceholder.size()),
               kPlaceholder.data());
}

Options parse_options(int argc, char** argv) {
  Options o;
  ArgCursor args(argc, argv);
  while (args.next()) {
    const std::string a = args.arg();
    if (a == "--bridge") {
      o.bridge = args.value();
    } else if (a == "--messages") {
      o.messages = args.number(1, 10000000);
    } else if (a == "--clients") {
      o.clients = args.number(1, 256);
    } else if (a == "--rounds") {
      o.rounds = args.number(1, 1000);
    } else if (a == "--workers") {
      o.workers = args.number(1, 256);
    } else if (a == "--warmup") {
      o.warmup = args.number(1, 100000);
    } else if (a == "--db-dir") {
      o.db_dir = args.value();
    } else if (a == "--log-level") {
      o.log_level = args.value();
    } else if (a == "--message") {
      o.message = args.value();
    } else if (a == "--wsdl-dir") {
      o.wsdl_dir = args.value();
    } else if (a == "--keep") {
      o.keep = true;
    } else {
      args.help_or_unknown(usage);
    }
  }
  check_common_options(o.bridge, "--messages", o.messages, o.clients, o.rounds);
  return o;
}

// ------------------------------------------------------------------------------------------
// CPU of the whole host

// Busy and total jiffies of all CPUs, from the first line of /proc/stat (every process).
struct HostCpu {
  double busy = 0, total = 0;
};

std::optional<HostCpu> host_cpu() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  double v[8] = {};
  if (!(in >> cpu) || cpu != "cpu") return std::nullopt;
  for (double& x : v) {
    if (!(in >> x)) return std::nullopt;
  }
  HostCpu h;
  for (double x : v) h.total += x;
  h.busy = h.total - v[3] - v[4];  // all but idle and iowait
  return h;
}

// The number of write transactions ever committed to a WAL database, while it is open: the
// wal-index header's iChange, "incremented with each transaction" (SQLite file format, section
// "The WAL-Index Format"). It is the u32 at offset 8 of the -shm file, in native byte order; the
// header is kept twice (offsets 0 and 48) and is read until both copies agree.
std::optional<std::uint32_t> wal_commit_counter(const std::string& db_path) {
  const int fd = ::open((db_path + "-shm").c_str(), O_RDONLY);
  if (fd < 0) return std::nullopt;
  std::optional<std::uint32_t> out;
  for (int attempt = 0; attempt < 1000 && !out; ++attempt) {
    unsigned char h[96];
    if (::pread(fd, h, sizeof h, 0) != static_cast<ssize_t>(sizeof h)) break;
    std::uint32_t version = 0, change = 0;
    std::memcpy(&version, h, 4);
    std::memcpy(&change, h + 8, 4);
    if (std::memcmp(h, h + 48, 48) == 0 && version == 3007000 && h[12] == 1) out = change;
  }
  ::close(fd);
  return out;
}

// ------------------------------------------------------------------------------------------
// HTTP/1.1 client on one keep-alive connection, with pre-built request bytes

class HttpConnection {
 public:
  explicit HttpConnection(int port) : port_(port) {}
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;
  ~HttpConnection() { disconnect(); }

  void connect() {
    disconnect();
    fd_ = connect_loopback(port_);
    ++connects_;
    served_ = 0;
  }

  // Sends one request and reads its complete response. A connection the server announced it
  // would close is replaced before the request. A request is re-sent only when the server closed
  // the connection after its keep-alive limit without announcing it: it has not read it then.
  HttpResponse exchange(const std::string& request) {
    if (fd_ < 0 || close_next_) {
      connect();
    } else if (peer_closed()) {
      if (served_ != kWebhookKeepAliveMax) {
        fail("the server closed an idle keep-alive connection after " + std::to_string(served_) +
             " request(s) without announcing it");
      }
      ++unannounced_closes_;
      connect();
    }
    close_next_ = false;
    HttpResponse r;
    if (!try_exchange(request, r)) {
      if (served_ != kWebhookKeepAliveMax) {
        fail("the server closed the connection before answering (request " +
             std::to_string(served_ + 1) + " on this connection)");
      }
      ++unannounced_closes_;
      connect();
      if (!try_exchange(request, r)) fail("the server closed a new connection before answering");
    }
    ++served_;
    if (r.close) {
      disconnect();
      close_next_ = true;
    }
    return r;
  }

  int reconnects() const { return connects_ > 0 ? connects_ - 1 : 0; }
  // Connections the server closed after a response that had announced keep-alive.
  int unannounced_closes() const { return unannounced_closes_; }

 private:
  void disconnect() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
  }

  // Whether the server has already closed this idle connection (nothing is expected from it).
  bool peer_closed() {
    char c;
    const ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return true;
    if (n > 0) fail("the server sent bytes nobody asked for");
    return errno == ECONNRESET;
  }

  // False when the connection turned out to be closed before any byte of a response came.
  bool try_exchange(const std::string& request, HttpResponse& r) {
    if (!send_all(fd_, request)) return false;
    std::size_t header_end;
    while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) {
        if (buf_.empty()) return false;
        fail("the server closed the connection in the middle of a response head");
      }
    }
    const ResponseHead head = parse_head(buf_.substr(0, header_end));
    buf_.erase(0, header_end + 4);
    r.status = head.status;
    r.close = head.close;
    const auto& length = head.content_length;
    if (!length) fail("a response without Content-Length: " + head.text.substr(0, 200));
    const std::size_t n = std::stoull(*length);
    while (buf_.size() < n) {
      if (!fill()) fail("the server closed the connection in the middle of a body");
    }
    r.body = buf_.substr(0, n);
    buf_.erase(0, n);
    return true;
  }

  // Appends what the socket has; false at end of stream (or a reset).
  bool fill() { return receive_some(fd_, buf_, 16 * 1024, true); }

  int port_;
  int fd_ = -1;
  int connects_ = 0;
  int served_ = 0;  // responses on the current connection
  int unannounced_closes_ = 0;
  bool close_next_ = false;
  std::string buf_;
};

// ------------------------------------------------------------------------------------------
// SQLite, through the C API

class Database {
 public:
  Database(const std::string& path, int flags) : path_(path) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      fail(path + ": cannot open: " + msg);
    }
    sqlite3_busy_timeout(db_, 5000);  // the bridge's
  }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database() {
    if (insert_) sqlite3_finalize(insert_);
    sqlite3_close(db_);
  }

  sqlite3* get() const { return db_; }

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      const std::string msg = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      fail(path_ + ": " + msg + " (in: " + sql + ")");
    }
  }

  // Rows of a query, every value as text (NULL as "NULL").
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      fail(path_ + ": " + sqlite3_errmsg(db_) + " (preparing: " + sql + ")");
    }
    std::vector<std::vector<std::string>> out;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const auto* p = sqlite3_column_text(stmt, i);
        const int n = sqlite3_column_bytes(stmt, i);
        row.push_back(
            sqlite3_column_type(stmt, i) == SQLITE_NULL
                ? std::string("NULL")
                : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)));
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) fail(path_ + ": " + sqlite3_errmsg(db_) + " (in: " + sql + ")");
    return out;
  }

  std::string scalar(const std::string& sql) {
    const auto r = rows(sql);
    if (r.empty() || r[0].empty()) fail(path_ + ": no result for " + sql);
    return r[0][0];
  }

  // The bridge's statement, prepared once (the bridge caches it per connection, too).
  sqlite3_stmt* insert_statement() {
    if (!insert_ && sqlite3_prepare_v3(db_, kInsert, -1, SQLITE_PREPARE_PERSISTENT, &insert_,
                                       nullptr) != SQLITE_OK) {
      fail(path_ + ": " + sqlite3_errmsg(db_) + " (preparing: " + kInsert + ")");
    }
    return insert_;
  }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

std::string sql_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return out + "'";
}

// ------------------------------------------------------------------------------------------
// Messages

struct Message {
  std::string guid;
  std::string body;     // the WSB document, as posted and as stored in raw
  std::string sha256;   // hex, what the bridge stores
  std::string request;  // the complete HTTP request
};

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    fail("SHA-256 failed");
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 15]);
  }
  return out;
}

class GuidSource {
 public:
  GuidSource() : rng_(std::random_device{}()) {}
  std::string next() {
    const std::uint64_t a = rng_(), b = rng_();
    char s[37];
    std::snprintf(s, sizeof s, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                  static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                  static_cast<unsigned long long>(b & 0xffffffffffffULL));
    return s;
  }

 private:
  std::mt19937_64 rng_;
};

std::vector<Message> make_messages(const std::string& template_text, int count,
                                   const std::string& token) {
  const auto at = template_text.find(kPlaceholder);
  if (at == std::string::npos) {
    fail("the message template does not contain the BeskedIdentifier " + std::string(kPlaceholder));
  }
  const std::string path =
      "/wsb/" + std::to_string(kRecipientType) + "/" + std::string(kRecipientCode);
  GuidSource guids;
  std::vector<Message> out;
  out.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    Message m;
    m.guid = guids.next();
    m.body = template_text;
    m.body.replace(at, kPlaceholder.size(), m.guid);
    m.sha256 = sha256_hex(m.body);
    m.request = "POST " + path +
                " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                "Authorization: Bearer " +
                token + "\r\nContent-Length: " + std::to_string(m.body.size()) + "\r\n\r\n" +
                m.body;
    out.push_back(std::move(m));
  }
  return out;
}

// The stored columns that do not depend on the message (all but id, besked_identifier,
// received_at_ms, raw, sha256, duplicates), as the bridge stored them for the warm-up messages.
struct RowTemplate {
  std::string source, recipient_code, layout, status, reason, detail, cpr, ekstern_identifier,
      miljoe, haendelses_tid;
  std::int64_t recipient_type = 0;
  std::optional<std::int64_t> entitetstype_id, aendringstype_id;
};

// ------------------------------------------------------------------------------------------
// The baseline: the bridge's INSERT into a fresh file, one transaction per row, one thread

class Baseline {
 public:
  Baseline(const std::string& path, const std::vector<std::string>& ddl, const RowTemplate& t)
      : db_(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX), t_(t) {
    // The bridge's connection settings (bridge/store/sqlite/db.cpp, Connection::open).
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec("PRAGMA synchronous=FULL");
    db_.exec("PRAGMA foreign_keys=ON");
    journal_mode_ = db_.scalar("PRAGMA journal_mode");
    synchronous_ = db_.scalar("PRAGMA synchronous");
    if (journal_mode_ != "wal" || synchronous_ != "2") {
      fail("baseline: journal_mode " + journal_mode_ + ", synchronous " + synchronous_ +
           " (expected wal, 2 = FULL)");
    }
    db_.exec("BEGIN IMMEDIATE");
    for (const auto& sql : ddl) db_.exec(sql);
    db_.exec("COMMIT");
  }

  const std::string& journal_mode() const { return journal_mode_; }
  const std::string& synchronous() const { return synchronous_; }

  // As SqliteInbox::store_batch with a batch of one: BEGIN IMMEDIATE, the INSERT, COMMIT.
  void insert(const Message& m) {
    db_.exec("BEGIN IMMEDIATE");
    sqlite3_stmt* s = db_.insert_statement();
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    const auto received_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    text(s, 1, m.guid);
    sqlite3_bind_int64(s, 2, received_ms);
    text(s, 3, t_.source);
    sqlite3_bind_int64(s, 4, t_.recipient_type);
    text(s, 5, t_.recipient_code);
    text(s, 6, t_.layout);
    text(s, 7, m.body);
    text(s, 8, m.sha256);
    text(s, 9, t_.status);
    text(s, 10, t_.reason);
    text(s, 11, t_.detail);
    text(s, 12, t_.cpr);
    text(s, 13, t_.ekstern_identifier);
    optional_int(s, 14, t_.entitetstype_id);
    optional_int(s, 15, t_.aendringstype_id);
    text(s, 16, t_.miljoe);
    text(s, 17, t_.haendelses_tid);
    if (sqlite3_step(s) != SQLITE_DONE) {
      fail(std::string("baseline insert: ") + sqlite3_errmsg(db_.get()));
    }
    if (sqlite3_changes(db_.get()) != 1) fail("baseline insert of " + m.guid + " changed nothing");
    db_.exec("COMMIT");
  }

 private:
  // As the bridge binds text: a copy (SQLITE_TRANSIENT).
  static void text(sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  static void optional_int(sqlite3_stmt* s, int i, const std::optional<std::int64_t>& v) {
    if (v) {
      sqlite3_bind_int64(s, i, *v);
    } else {
      sqlite3_bind_null(s, i);
    }
  }

  Database db_;
  RowTemplate t_;
  std::string journal_mode_, synchronous_;
};

// ------------------------------------------------------------------------------------------
// Measurement

struct PhaseResult {
  double seconds = 0;
  std::vector<double> latency_ms;
  int reconnects = 0;
  int unannounced_closes = 0;
};

// One answer of the webhook: 200, {"BeskedIdentifier": <guid>, "outcome": "stored", "status": ...}.
void check_answer(const HttpResponse& r, const Message& m, const std::string& status) {
  if (r.status != 200) {
    fail("POST " + m.guid + ": HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 500));
  }
  const auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) fail("POST " + m.guid + ": not a JSON object: " + r.body);
  const auto field = [&j](const char* name) {
    const auto it = j.find(name);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (field("outcome") != "stored" || field("BeskedIdentifier") != m.guid ||
      (!status.empty() && field("status") != status)) {
    fail("POST " + m.guid + ": expected outcome \"stored\" for this BeskedIdentifier" +
         (status.empty() ? "" : " with status \"" + status + "\"") + ", got " + r.body);
  }
}

// Each client posts its contiguous share of `messages` on its own keep-alive connection. Every
// client connects, then all start together; the phase lasts until the last one is done.
PhaseResult run_bridge_phase(int port, const Message* messages, int count, int clients,
                             const std::string& status) {
  const int per_client = count / clients;
  std::vector<std::vector<double>> latency(static_cast<std::size_t>(clients));
  std::vector<int> reconnects(static_cast<std::size_t>(clients), 0);
  std::vector<int> unannounced(static_cast<std::size_t>(clients), 0);
  PhaseResult r;
  r.seconds = run_together(
      static_cast<std::size_t>(clients),
      [&](std::size_t k, const std::function<void()>& start) {
        const auto i = static_cast<int>(k);
        HttpConnection c(port);
        c.connect();
        latency[k].reserve(static_cast<std::size_t>(per_client));
        start();
        for (int n = 0; n < per_client; ++n) {
          const Message& m = messages[i * per_client + n];
          const auto t0 = Clock::now();
          const HttpResponse answer = c.exchange(m.request);
          const auto t1 = Clock::now();
          check_answer(answer, m, status);
          latency[k].push_back(ms_between(t0, t1));
        }
        reconnects[k] = c.reconnects();
        unannounced[k] = c.unannounced_closes();
      },
      [](std::size_t k) { return "client " + std::to_string(k + 1); });
  for (std::size_t k = 0; k < latency.size(); ++k) {
    r.latency_ms.insert(r.latency_ms.end(), latency[k].begin(), latency[k].end());
    r.reconnects += reconnects[k];
    r.unannounced_closes += unannounced[k];
  }
  return r;
}

// The baseline phase: this thread inserts the messages one transaction each.
PhaseResult run_baseline_phase(Baseline& b, const Message* messages, int count, double& cpu_ms) {
  PhaseResult r;
  r.latency_ms.reserve(static_cast<std::size_t>(count));
  const double cpu0 = cpu_clock_ms(CLOCK_THREAD_CPUTIME_ID);
  const auto start = Clock::now();
  for (int n = 0; n < count; ++n) {
    const auto t0 = Clock::now();
    b.insert(messages[n]);
    r.latency_ms.push_back(ms_between(t0, Clock::now()));
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  cpu_ms += cpu_clock_ms(CLOCK_THREAD_CPUTIME_ID) - cpu0;
  return r;
}

struct Totals {
  double seconds = 0;
  int messages = 0;
  std::vector<double> latency_ms;
  int reconnects = 0;
  int unannounced_closes = 0;
  double server_cpu_ms = 0;
  bool cpu_known = true;
  long long commits = 0;  // write transactions committed to the server's database
  bool commits_known = true;
  double host_busy = 0, host_total = 0;  // jiffies of all CPUs during the phases
  double rate() const { return seconds > 0 ? messages / seconds : 0; }
  void add(const PhaseResult& p, int count) {
    seconds += p.seconds;
    messages += count;
    latency_ms.insert(latency_ms.end(), p.latency_ms.begin(), p.latency_ms.end());
    reconnects += p.reconnects;
    unannounced_closes += p.unannounced_closes;
  }
};

void print_row(const char* name, const Totals& t) {
  const auto& s = t.latency_ms;
  std::printf("%-18s %9.1f %9.3f %9.3f %9.3f %9.3f", name, t.rate(), percentile(s, 50),
              percentile(s, 99), s.empty() ? 0.0 : *std::max_element(s.begin(), s.end()),
              t.messages > 0 ? 1000.0 * t.seconds / t.messages : 0.0);
  if (t.cpu_known && t.messages > 0) {
    std::printf(" %9.3f", t.server_cpu_ms / t.messages);
  } else {
    std::printf(" %9s", "n/a");
  }
  if (t.commits_known && t.commits > 0) {
    std::printf(" %8lld %10.2f\n", t.commits, static_cast<double>(t.messages) / t.commits);
  } else {
    std::printf(" %8s %10s\n", "n/a", "n/a");
  }
}

// ------------------------------------------------------------------------------------------
// Set-up

std::string write_config(const std::string& path, const std::string& sqlite_path, const Options& o,
                         const std::string& token) {
  std::ofstream out(path);
  out << "# written by ingest_bench\n"
      << "[server]\nhost = \"127.0.0.1\"\nport = 0\nworkers = 2\n"
      << "wsdl_dir = " << toml_string(o.wsdl_dir) << "\n\n"
      << "[admin]\nenabled = false\n\n"
      << "[store]\nsqlite_path = " << toml_string(sqlite_path) << "\n\n"
      << "[log]\nformat = \"text\"\nlevel = " << toml_string(o.log_level) << "\n\n"
      << "[webhook]\nenabled = true\nhost = \"127.0.0.1\"\nport = 0\nworkers = " << o.workers
      << "\nbearer_token = " << toml_string(token) << "\n\n"
      << "# Serves recipient " << kRecipientType << "/" << kRecipientCode
      << " (the webhook's recipients default to the consumers' organisations).\n"
      << "[[consumer]]\nid = \"ingest-bench\"\norganisations = [{ type = " << kRecipientType
      << ", code = \"" << kRecipientCode << "\" }]\nmessage_types = [\"" << kConsumerOperation
      << "\"]\n";
  out.close();
  if (!out) fail("cannot write " + path);
  return path;
}

std::string random_token() {
  std::random_device rd;
  std::string t;
  static const char* hex = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) t.push_back(hex[rd() & 15]);
  return t;
}

// Leading and trailing white space is not part of a message (the bridge hashes without it), so
// the template is posted without it and raw, sha256 and the body are the same bytes.
std::string load_template(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read " + path);
  std::string s = read_text(path);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  return s.substr(b);
}

std::string read_only_uri(const std::string& path) { return "file:" + path + "?mode=ro"; }
constexpr int kReadOnly = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;

// What the bridge created and stored for the warm-up: inbox_message's DDL (table and indexes)
// and the message-independent column values, after checking raw and sha256 of every row.
std::vector<std::string> read_bridge_warmup(const std::string& db_path,
                                            const std::vector<Message>& warm, RowTemplate& t,
                                            std::string& journal_mode) {
  Database db(read_only_uri(db_path), kReadOnly);
  journal_mode = db.scalar("PRAGMA journal_mode");
  std::vector<std::string> ddl;
  for (const auto& r : db.rows("SELECT sql FROM sqlite_master WHERE tbl_name = 'inbox_message' "
                               "AND sql IS NOT NULL ORDER BY type = 'table' DESC, name")) {
    ddl.push_back(r[0]);
  }
  if (ddl.empty() || ddl[0].find("CREATE TABLE") == std::string::npos) {
    fail(db_path + ": the bridge did not create the table inbox_message");
  }
  const auto rows = db.rows(
      "SELECT source, recipient_type, recipient_code, layout, status, reason, detail, cpr, "
      "ekstern_identifier, entitetstype_id, aendringstype_id, miljoe, haendelses_tid, "
      "typeof(entitetstype_id), typeof(aendringstype_id), COUNT(*) FROM inbox_message "
      "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13");
  if (rows.size() != 1 || rows[0][15] != std::to_string(warm.size())) {
    fail(db_path + ": expected the " + std::to_string(warm.size()) +
         " warm-up messages with equal message-independent columns, found " +
         std::to_string(rows.size()) + " variant(s)");
  }
  const auto& r = rows[0];
  t.source = r[0];
  t.recipient_type = std::stoll(r[1]);
  t.recipient_code = r[2];
  t.layout = r[3];
  t.status = r[4];
  t.reason = r[5];
  t.detail = r[6];
  t.cpr = r[7];
  t.ekstern_identifier = r[8];
  if (r[13] != "null") t.entitetstype_id = std::stoll(r[9]);
  if (r[14] != "null") t.aendringstype_id = std::stoll(r[10]);
  t.miljoe = r[11];
  t.haendelses_tid = r[12];
  for (const auto& m : warm) {
    const auto got = db.rows(
        "SELECT raw, sha256, typeof(raw) FROM inbox_message WHERE "
        "besked_identifier = " +
        sql_quote(m.guid));
    if (got.size() != 1 || got[0][0] != m.body || got[0][1] != m.sha256) {
      fail(db_path + ": warm-up message " + m.guid +
           (got.empty() ? " is missing" : " is stored with other bytes or another sha256"));
    }
    if (got[0][2] != "text") fail(db_path + ": raw is stored as " + got[0][2] + ", not text");
  }
  return ddl;
}

struct Comparison {
  long long bridge_rows = 0, baseline_rows = 0, only_bridge = 0, only_baseline = 0;
  long long conflicts = 0;
};

// Both files read-only: the same rows, all columns but id and received_at_ms.
Comparison compare_tables(const std::string& bridge_db, const std::string& baseline_db) {
  Database db(read_only_uri(bridge_db), kReadOnly);
  db.exec("ATTACH DATABASE " + sql_quote(read_only_uri(baseline_db)) + " AS base");
  Comparison c;
  c.bridge_rows = std::stoll(db.scalar("SELECT COUNT(*) FROM main.inbox_message"));
  c.baseline_rows = std::stoll(db.scalar("SELECT COUNT(*) FROM base.inbox_message"));
  const std::string cols = kComparedColumns;
  c.only_bridge = std::stoll(db.scalar("SELECT COUNT(*) FROM (SELECT " + cols +
                                       " FROM main.inbox_message EXCEPT SELECT " + cols +
                                       " FROM base.inbox_message)"));
  c.only_baseline = std::stoll(db.scalar("SELECT COUNT(*) FROM (SELECT " + cols +
                                         " FROM base.inbox_message EXCEPT SELECT " + cols +
                                         " FROM main.inbox_message)"));
  c.conflicts = std::stoll(db.scalar("SELECT COUNT(*) FROM main.inbox_conflict"));
  return c;
}

// ------------------------------------------------------------------------------------------

// Everything after the work directory exists; throws on any failure.
void measure(const Options& o, const std::string& work, const std::string& db_dir,
             Clock::time_point started) {
  const int per_round = o.messages / o.rounds;
  const int warm_count = o.warmup * o.clients;
  std::printf(
      "ingest_bench: %d WSB messages per server, durable (SQLite WAL, synchronous=FULL)\n"
      "  %d client(s) x %d round(s) x %d message(s); build %s; SQLite %s; %u CPU(s)\n",
      o.messages, o.clients, o.rounds, per_round / o.clients, BRIDGE_BENCH_BUILD_TYPE,
      sqlite3_libversion(), std::thread::hardware_concurrency());
  if (o.clients > o.workers) {
    std::printf(
        "  note: %d clients but %d webhook workers; a worker serves one connection at a "
        "time, so %d client(s) wait for a free one\n",
        o.clients, o.workers, o.clients - o.workers);
  }

  const std::string token = random_token();
  const std::string text = load_template(o.message);
  // Warm-up messages first, then the measured ones; both servers store the same messages.
  const std::vector<Message> messages = make_messages(text, warm_count + o.messages, token);
  const std::vector<Message> warm(messages.begin(), messages.begin() + warm_count);
  const Message* measured = messages.data() + warm_count;

  // 1. The bridge, and its warm-up; what it stored is the baseline's row template.
  const std::string bridge_db = db_dir + "/bridge.db";
  const std::string config = write_config(work + "/bridge.toml", bridge_db, o, token);
  BridgeProcess bridge(o.bridge, config, work, "webhook=", "is [webhook] enabled understood?");
  run_bridge_phase(bridge.port(), messages.data(), warm_count, o.clients, "");
  RowTemplate row;
  std::string bridge_journal;
  const auto ddl = read_bridge_warmup(bridge_db, warm, row, bridge_journal);
  std::printf(
      "  bridge: %s (pid %d, webhook port %d), webhook workers %d, log level %s,\n"
      "          database %s (journal_mode %s)\n",
      o.bridge.c_str(), static_cast<int>(bridge.pid()), bridge.port(), o.workers,
      o.log_level.c_str(), bridge_db.c_str(), bridge_journal.c_str());

  // 2. The baseline, on a fresh file next to the bridge's, with the bridge's DDL.
  const std::string baseline_db = db_dir + "/baseline.db";
  Baseline baseline(baseline_db, ddl, row);
  double ignored_cpu = 0;
  run_baseline_phase(baseline, warm.data(), warm_count, ignored_cpu);
  std::printf(
      "  baseline: one thread, sqlite3 C API, the bridge's INSERT, one BEGIN IMMEDIATE ... "
      "COMMIT per row;\n            database %s (journal_mode %s, synchronous %s = FULL)\n",
      baseline_db.c_str(), baseline.journal_mode().c_str(), baseline.synchronous().c_str());
  std::printf(
      "  message: %s, %zu B, POST /wsb/%d/%s; stored as status \"%s\"%s; "
      "warm-up %d message(s) on each server\n",
      fs::path(o.message).filename().c_str(), text.size(), kRecipientType, kRecipientCode,
      row.status.c_str(), row.reason.empty() ? "" : (" (" + row.reason + ")").c_str(), warm_count);

  // 3. Alternating rounds.
  Totals base, real;
  double client_cpu_ms = 0;  // this process during the bridge phases: the clients
  const std::vector<double> round_ratios =
      alternate_rounds(o.rounds, "baseline rows/s", "bridge msg/s", [&](int r, bool is_baseline) {
        const Message* slice = measured + static_cast<std::ptrdiff_t>(r) * per_round;
        Totals& t = is_baseline ? base : real;
        const std::string& db = is_baseline ? baseline_db : bridge_db;
        const auto commits0 = wal_commit_counter(db);
        const auto host0 = host_cpu();
        const auto finish = [&](const PhaseResult& p) {
          const auto commits1 = wal_commit_counter(db);
          const auto host1 = host_cpu();
          if (commits0 && commits1) {
            t.commits += static_cast<std::uint32_t>(*commits1 - *commits0);
          } else {
            t.commits_known = false;
          }
          if (host0 && host1) {
            t.host_busy += host1->busy - host0->busy;
            t.host_total += host1->total - host0->total;
          }
          t.add(p, per_round);
          return per_round / p.seconds;
        };
        if (is_baseline) {
          return finish(run_baseline_phase(baseline, slice, per_round, base.server_cpu_ms));
        }
        const auto cpu0 = process_cpu_ms(bridge.pid());
        const double client_cpu0 = cpu_clock_ms(CLOCK_PROCESS_CPUTIME_ID);
        PhaseResult p;
        try {
          p = run_bridge_phase(bridge.port(), slice, per_round, o.clients, row.status);
        } catch (const std::exception& e) {
          fail("bridge, round " + std::to_string(r + 1) + ": " + e.what() + bridge.exit_context());
        }
        client_cpu_ms += cpu_clock_ms(CLOCK_PROCESS_CPUTIME_ID) - client_cpu0;
        add_cpu(cpu0, process_cpu_ms(bridge.pid()), real.server_cpu_ms, real.cpu_known);
        return finish(p);
      });

  // 4. Results.
  std::printf("\n%-18s %9s %9s %9s %9s %9s %9s %8s %10s\n", "server", "msg/s", "ack p50", "ack p99",
              "ack max", "wall/msg", "CPU/msg", "commits", "msg/commit");
  std::printf("%-18s %9s %9s %9s %9s %9s %9s\n", "", "", "ms", "ms", "ms", "ms", "ms");
  print_row("baseline (SQLite)", base);
  print_row("wsrm-bridge", real);
  const double ratio = real.rate() / base.rate();
  print_ratio("msg/s", ratio, round_ratios);
  std::printf(
      "p99 acknowledgement latency: wsrm-bridge %.3f ms with %d client(s); baseline "
      "commit %.3f ms\n",
      percentile(real.latency_ms, 99), o.clients, percentile(base.latency_ms, 99));
  const auto busy = [](const Totals& t) {
    return t.host_total > 0 ? 100.0 * t.host_busy / t.host_total : 0.0;
  };
  std::printf(
      "  CPU: the bench's clients %.3f ms per bridge message; all CPUs busy (every process) "
      "%.0f%% during baseline phases, %.0f%% during bridge phases\n",
      client_cpu_ms / real.messages, busy(base), busy(real));
  if (base.commits_known && base.commits != base.messages) {
    std::printf(
        "  note: the WAL commit counter saw %lld baseline commits for %d rows; the "
        "commits columns are not reliable here\n",
        base.commits, base.messages);
  }
  std::printf(
      "  %d samples per latency column; keep-alive reconnects (server limit %d requests): "
      "%d, of which %d after a response that announced keep-alive\n",
      real.messages, kWebhookKeepAliveMax, real.reconnects, real.unannounced_closes);

  // 5. The bridge stops cleanly; both tables hold the same rows.
  bridge.stop_cleanly();
  const Comparison c = compare_tables(bridge_db, baseline_db);
  const long long expected = warm_count + o.messages;
  std::printf(
      "  inbox_message rows: bridge %lld, baseline %lld (expected %lld = %d warm-up + %d); "
      "rows differing in any column but id and received_at_ms: %lld / %lld; "
      "conflicts %lld; clean shutdown\n",
      c.bridge_rows, c.baseline_rows, expected, warm_count, o.messages, c.only_bridge,
      c.only_baseline, c.conflicts);
  if (c.bridge_rows != expected || c.baseline_rows != expected || c.only_bridge != 0 ||
      c.only_baseline != 0 || c.conflicts != 0) {
    fail("the bridge's inbox does not hold exactly the messages it acknowledged");
  }
  print_total_run_time(started);
}

int run(const Options& o) {
  const auto started = Clock::now();
  prepare_run(o.bridge);
  return run_in_work_dir("ingest_bench", o.db_dir, o.keep, "databases",
                         [&](const std::string& work, const std::string& db_dir) {
                           measure(o, work, db_dir, started);
                         });
}

}  // namespace

int main(int argc, char** argv) {
  return bench::guarded_main("ingest_bench", [&] { return run(parse_options(argc, argv)); });
}
