// soap_bench: the bridge against a minimal gSOAP server that answers with the same bytes.
//
// One run does, in this order:
//   1. queues (cycles per client + 1) x 500 items per client with `wsrm-bridge queue add`, one
//      consumer per client (two clients on one consumer would share the open sequence);
//   2. starts `wsrm-bridge serve` and records one real CreateSequence + Get + TerminateSequence;
//   3. starts, in this process, a minimal server on the same generated gSOAP code whose six
//      operations return the recorded values from memory, and checks that its three response
//      bodies are byte for byte the bridge's;
//   4. runs the same client loop against both in alternating rounds (baseline first in odd
//      rounds, bridge first in even ones), each client on one keep-alive connection, checking
//      every response (HTTP 200, identifier, 500 items) so that a broken server cannot look fast;
//   5. prints cycles/s and requests/s of both, the ratio bridge/baseline, Get latency
//      percentiles and server CPU per cycle, then checks that the bridge drained its queue.
// Timings are reported, never asserted; the exit code is non-zero only when something was wrong.
// See bench/README.md.

#include "bench_support.h"
#include "soapH.h"
#include "wsrm_items.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
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

constexpr int kItemsPerSequence = 500;
constexpr const char* kOperation = "GetIndkaldelseVersion1";
constexpr const char* kCreateAction =
    "http://service.bm.dk/pjaktass/wsrm/3/IWsrmService/CreateSequence";
constexpr const char* kTerminateAction =
    "http://service.bm.dk/pjaktass/wsrm/3/IWsrmService/TerminateSequence";
constexpr const char* kGetAction =
    "http://service.bm.dk/pjaktass/wsrm/11/IWsrmMessageService/GetIndkaldelseVersion1";
constexpr const char* kServiceEndpoint = "http://127.0.0.1:8080/11/WsrmMessageService.svc";
constexpr int kKeepAliveMaxRequests = 100;  // the bridge's default, used by both servers

// ------------------------------------------------------------------------------------------
// Options

struct Options {
  std::string bridge = BRIDGE_BENCH_DEFAULT_BRIDGE;
  int cycles = 160;  // per server, all clients and rounds together
  int clients = 2;
  int rounds = 8;
  int workers = 2;
  std::string db_dir;  // where the bridge's SQLite file lives; default: the work directory
  std::string log_level = "info";
  std::string item =
      std::string(BRIDGE_SOURCE_DIR) + "/docs/examples/items/indkaldelse_registration.xml";
  std::string wsdl_dir = std::string(BRIDGE_SOURCE_DIR) + "/wsdl";
  bool keep = false;
};

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: soap_bench [options]\n"
               "  --bridge PATH      wsrm-bridge binary (default: %s)\n"
               "  --cycles N         CreateSequence+Get(500)+Terminate cycles per server "
               "(default 160)\n"
               "  --clients N        concurrent clients, one keep-alive connection each "
               "(default 2)\n"
               "  --rounds N         alternating baseline/bridge rounds (default 8)\n"
               "  --workers N        bridge [server] workers (default 2)\n"
               "  --db-dir DIR       directory of the bridge's SQLite file (default: the work\n"
               "                     directory under $TMPDIR or /tmp; /dev/shm takes fsync out)\n"
               "  --log-level LEVEL  bridge [log] level (default info, as in production)\n"
               "  --item FILE        item template (default docs/examples/items/"
               "indkaldelse_registration.xml)\n"
               "  --wsdl-dir DIR     contract directory for the bridge (default <source>/wsdl)\n"
               "  --keep             keep the work directory (config, database, bridge.log)\n",
               BRIDGE_BENCH_DEFAULT_BRIDGE);
}

Options parse_options(int argc, char** argv) {
  Options o;
  ArgCursor args(argc, argv);
  while (args.next()) {
    const std::string a = args.arg();
    if (a == "--bridge") {
      o.bridge = args.value();
    } else if (a == "--cycles") {
      o.cycles = args.number(1, 100000);
    } else if (a == "--clients") {
      o.clients = args.number(1, 64);
    } else if (a == "--rounds") {
      o.rounds = args.number(1, 1000);
    } else if (a == "--workers") {
      o.workers = args.number(1, 256);
    } else if (a == "--db-dir") {
      o.db_dir = args.value();
    } else if (a == "--log-level") {
      o.log_level = args.value();
    } else if (a == "--item") {
      o.item = args.value();
    } else if (a == "--wsdl-dir") {
      o.wsdl_dir = args.value();
    } else if (a == "--keep") {
      o.keep = true;
    } else {
      args.help_or_unknown(usage);
    }
  }
  check_common_options(o.bridge, "--cycles", o.cycles, o.clients, o.rounds);
  return o;
}

// ------------------------------------------------------------------------------------------
// Child processes

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

void run_tool(const std::vector<std::string>& args, const std::string& log_path) {
  const int rc = wait_exit(spawn(args, log_path));
  if (rc != 0) {
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    fail(cmd + "exited with " + std::to_string(rc) + ":\n" + tail_of(log_path));
  }
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
  }

  // Sends one request and reads its complete response. A connection the server announced it
  // would close is replaced before the request; a request is never re-sent.
  HttpResponse exchange(const std::string& request) {
    if (fd_ < 0 || close_next_) connect();
    close_next_ = false;
    if (!send_all(fd_, request)) fail(std::string("send: ") + std::strerror(errno));
    HttpResponse r;
    std::size_t header_end;
    while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) fail("the server closed the connection before answering");
    }
    const ResponseHead head = parse_head(buf_.substr(0, header_end));
    buf_.erase(0, header_end + 4);
    r.status = head.status;
    r.close = head.close;
    const auto& encoding = head.transfer_encoding;
    if (const auto& length = head.content_length) {
      read_exactly(static_cast<std::size_t>(std::stoull(*length)), r.body);
    } else if (encoding && encoding->find("chunked") != std::string::npos) {
      read_chunked(r.body);
    } else {
      while (fill()) {
      }
      r.body = std::move(buf_);
      buf_.clear();
      r.close = true;
    }
    if (r.close) {
      disconnect();
      close_next_ = true;
    }
    return r;
  }

  int reconnects() const { return connects_ > 0 ? connects_ - 1 : 0; }

 private:
  void disconnect() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
  }

  // Appends what the socket has; false at end of stream.
  bool fill() { return receive_some(fd_, buf_, 64 * 1024, false); }

  // The body goes straight from the socket into its final string (bodies are ~1.3 MB).
  void read_exactly(std::size_t n, std::string& out) {
    out.resize(n);
    std::size_t have = std::min(n, buf_.size());
    std::memcpy(out.data(), buf_.data(), have);
    buf_.erase(0, have);
    while (have < n) {
      const ssize_t got = ::recv(fd_, out.data() + have, n - have, 0);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) fail(std::string("recv: ") + std::strerror(errno));
      if (got == 0) fail("the server closed the connection in the middle of a body");
      have += static_cast<std::size_t>(got);
    }
  }

  void read_chunked(std::string& out) {
    while (true) {
      std::size_t eol;
      while ((eol = buf_.find("\r\n")) == std::string::npos) {
        if (!fill()) fail("the server closed the connection in a chunked body");
      }
      const std::size_t size = std::stoul(buf_.substr(0, eol), nullptr, 16);
      buf_.erase(0, eol + 2);
      if (size == 0) {
        while ((eol = buf_.find("\r\n")) != 0) {  // trailers end with an empty line
          if (eol == std::string::npos) {
            if (!fill()) fail("the server closed the connection in a chunked trailer");
          } else {
            buf_.erase(0, eol + 2);
          }
        }
        buf_.erase(0, 2);
        return;
      }
      while (buf_.size() < size + 2) {
        if (!fill()) fail("the server closed the connection in a chunk");
      }
      out.append(buf_, 0, size);
      buf_.erase(0, size + 2);
    }
  }

  int port_;
  int fd_ = -1;
  int connects_ = 0;
  bool close_next_ = false;
  std::string buf_;
};

// ------------------------------------------------------------------------------------------
// Requests (what a WCF client sends) and response checks

std::string envelope(const std::string& org_code, const std::string& extra_header,
                     const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
         "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header>"
         "<ActiveOrganisationHeader xmlns=\"http://rep.oio.dk/ams.dk/xml/schemas/2005/09/01/\">"
         "<OrganisationTypeIdentifier>8</OrganisationTypeIdentifier><OrganisationCode>" +
         org_code + "</OrganisationCode></ActiveOrganisationHeader>" + extra_header +
         "</s:Header><s:Body>" + body + "</s:Body></s:Envelope>";
}

std::string http_post(const char* path, const char* action, const std::string& body) {
  return std::string("POST ") + path +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\n"
         "SOAPAction: \"" +
         action + "\"\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

struct Client {
  int index = 0;
  std::string consumer;  // bench-<index+1>
  std::string org_code;

  std::string create() const {
    return http_post("/3/WsrmService.svc", kCreateAction,
                     envelope(org_code, "",
                              "<CreateSequence xmlns=\"http://service.bm.dk/pjaktass/wsrm/3/\"/>"));
  }
  std::string get(const std::string& id) const {
    return http_post(
        "/11/WsrmMessageService.svc", kGetAction,
        envelope(
            org_code,
            "<SequenceRequest xmlns=\"http://docs.oasis-open.org/ws-rx/wsrm/200602\">"
            "<Identifier>" +
                id + "</Identifier></SequenceRequest>",
            "<GetIndkaldelseVersion1Request xmlns=\"http://service.bm.dk/pjaktass/wsrm/11/\"/>"));
  }
  std::string terminate(const std::string& id) const {
    return http_post(
        "/3/WsrmService.svc", kTerminateAction,
        envelope(org_code, "",
                 "<TerminateSequence xmlns=\"http://service.bm.dk/pjaktass/wsrm/3/\"><Identifier "
                 "xmlns=\"http://docs.oasis-open.org/ws-rx/wsrm/200602\">" +
                     id + "</Identifier></TerminateSequence>"));
  }
};

std::vector<Client> make_clients(int n) {
  std::vector<Client> clients;
  for (int i = 0; i < n; ++i) {
    clients.push_back({i, "bench-" + std::to_string(i + 1), std::to_string(90001 + i)});
  }
  return clients;
}

void expect_ok(const HttpResponse& r, const char* what) {
  if (r.status != 200) {
    fail(std::string(what) + ": HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 1500));
  }
}

// Text of the first element whose name ends in `local_name` (any prefix).
std::string element_text(std::string_view body, const std::string& local_name) {
  const std::string key = local_name + ">";
  for (std::size_t p = body.find(key); p != std::string_view::npos; p = body.find(key, p + 1)) {
    const auto lt = body.rfind('<', p);
    if (lt == std::string_view::npos || body[lt + 1] == '/') continue;
    const std::string_view name = body.substr(lt + 1, p - lt - 1);
    if (!name.empty() && name.back() != ':') continue;  // a longer name ending the same way
    const auto start = p + key.size();
    const auto end = body.find('<', start);
    if (end == std::string_view::npos) break;
    return std::string(body.substr(start, end - start));
  }
  return {};
}

// The Get item wrapper as the server writes it, e.g. "<v11:IndkaldelseRegistration>"; its name
// comes from the generated code, so a renamed item element needs no change here.
const char* item_element() {
  return bridge::gen::item_element_of(
      static_cast<const _v11__GetIndkaldelseVersion1Response*>(nullptr));
}

struct ItemTags {
  std::string open, close;
};

std::optional<ItemTags> item_tags(std::string_view body) {
  const std::string key = std::string(":") + item_element() + ">";
  const auto p = body.find(key);
  if (p == std::string_view::npos) return std::nullopt;
  const auto lt = body.rfind('<', p);
  if (lt == std::string_view::npos || body[lt + 1] == '/') return std::nullopt;
  ItemTags t;
  t.open = std::string(body.substr(lt, p + key.size() - lt));
  t.close = "</" + t.open.substr(1);
  return t;
}

int count_items(std::string_view body) {
  const auto tags = item_tags(body);
  if (!tags) return 0;
  int n = 0;
  const char* p = body.data();
  const char* end = body.data() + body.size();
  while (const void* hit = ::memmem(p, static_cast<std::size_t>(end - p), tags->close.data(),
                                    tags->close.size())) {
    ++n;
    p = static_cast<const char*>(hit) + tags->close.size();
  }
  return n;
}

std::vector<std::string> extract_items(const std::string& body) {
  std::vector<std::string> items;
  const auto tags = item_tags(body);
  if (!tags) return items;
  for (std::size_t p = body.find(tags->open); p != std::string::npos;
       p = body.find(tags->open, p)) {
    const auto start = p + tags->open.size();
    const auto end = body.find(tags->close, start);
    if (end == std::string::npos) break;
    items.push_back(body.substr(start, end - start));
    p = end + tags->close.size();
  }
  return items;
}

struct Samples {
  std::vector<double> create_ms, get_ms, terminate_ms;
  void append(const Samples& o) {
    create_ms.insert(create_ms.end(), o.create_ms.begin(), o.create_ms.end());
    get_ms.insert(get_ms.end(), o.get_ms.begin(), o.get_ms.end());
    terminate_ms.insert(terminate_ms.end(), o.terminate_ms.begin(), o.terminate_ms.end());
  }
};

struct CycleBodies {
  std::string create, get, terminate;
};

// One CreateSequence + Get + TerminateSequence, every response checked.
void run_cycle(HttpConnection& c, const Client& client, Samples* samples, CycleBodies* keep) {
  const auto call = [&c](const char* what, const std::string& request) {
    try {
      return c.exchange(request);
    } catch (const std::exception& e) {
      fail(std::string(what) + ": " + e.what());
    }
  };
  auto t0 = Clock::now();
  HttpResponse created = call("CreateSequence", client.create());
  auto t1 = Clock::now();
  expect_ok(created, "CreateSequence");
  const std::string id = element_text(created.body, "Identifier");
  if (id.empty() || id.size() > 100) fail("CreateSequence: no Identifier in " + created.body);
  const std::string count = element_text(created.body, "MessageCount");
  if (count != std::to_string(kItemsPerSequence)) {
    fail("CreateSequence for " + client.consumer + ": MessageCount '" + count + "', expected " +
         std::to_string(kItemsPerSequence) + " (is the queue short?): " + created.body);
  }

  auto t2 = Clock::now();
  HttpResponse got = call("Get", client.get(id));
  auto t3 = Clock::now();
  expect_ok(got, "Get");
  const int items = count_items(got.body);
  if (items != kItemsPerSequence) {
    fail("Get: " + std::to_string(items) + " items, expected " + std::to_string(kItemsPerSequence));
  }
  if (got.body.find(id) == std::string::npos) fail("Get: the SequenceResponse does not name " + id);

  auto t4 = Clock::now();
  HttpResponse terminated = call("TerminateSequence", client.terminate(id));
  auto t5 = Clock::now();
  expect_ok(terminated, "TerminateSequence");
  if (element_text(terminated.body, "Identifier") != id) {
    fail("TerminateSequence: wrong Identifier in " + terminated.body);
  }

  if (samples) {
    samples->create_ms.push_back(ms_between(t0, t1));
    samples->get_ms.push_back(ms_between(t2, t3));
    samples->terminate_ms.push_back(ms_between(t4, t5));
  }
  if (keep) {
    keep->create = std::move(created.body);
    keep->get = std::move(got.body);
    keep->terminate = std::move(terminated.body);
  }
}

// ------------------------------------------------------------------------------------------
// The baseline: a minimal gSOAP server on the same generated code, answering from memory

struct BaselineData {
  std::string identifier;
  std::string endpoint;
  int message_count = 0;
  std::vector<std::string> items;
  std::vector<char*> item_pointers;  // into items; what a Get response holds
};

const BaselineData& baseline_of(struct soap* soap) {
  return *static_cast<const BaselineData*>(soap->user);
}

class BaselineServer {
 public:
  explicit BaselineServer(const BaselineData& data) {
    // The listener's engine settings (bridge/soap/listener.cpp), nothing else.
    master_ = soap_new1(SOAP_IO_KEEPALIVE | SOAP_C_UTFSTRING);
    if (!master_) fail("baseline: out of memory");
    soap_set_namespaces(master_, namespaces);
    master_->user = const_cast<BaselineData*>(&data);
    master_->bind_flags = SO_REUSEADDR;
    master_->accept_timeout = -200000;  // 200 ms, to notice stop
    master_->recv_timeout = 10;
    master_->send_timeout = 10;
    master_->transfer_timeout = 30;
    master_->recv_maxlength = 1 << 20;
    master_->max_keep_alive = kKeepAliveMaxRequests;
    if (!soap_valid_socket(soap_bind(master_, "127.0.0.1", 0, 64))) {
      fail("baseline: cannot bind 127.0.0.1:0");
    }
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    getsockname(master_->master, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  BaselineServer(const BaselineServer&) = delete;
  BaselineServer& operator=(const BaselineServer&) = delete;
  ~BaselineServer() {
    stopping_ = true;
    if (acceptor_.joinable()) acceptor_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mutex_);
      threads.swap(connections_);
    }
    for (auto& t : threads) t.join();
    soap_destroy(master_);
    soap_end(master_);
    soap_free(master_);
  }

  int port() const { return port_; }

  // How the last connections ended, for error reports.
  std::string recent_connections() {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& e : ended_) out += "\n  baseline connection: " + e;
    return out;
  }

 private:
  void accept_loop() {
    while (!stopping_) {
      if (!soap_valid_socket(soap_accept(master_))) continue;
      struct soap* copy = soap_copy(master_);
      master_->socket = SOAP_INVALID_SOCKET;
      if (!copy) continue;
      std::lock_guard lock(mutex_);
      connections_.emplace_back([this, copy] { serve(copy); });
    }
  }

  // The keep-alive loop of serve_soap_connection (bridge/soap/listener.cpp).
  void serve(struct soap* s) {
    int served = 0;
    s->keep_alive = s->max_keep_alive + 1;
    do {
      if (s->keep_alive > 0 && s->max_keep_alive > 0) s->keep_alive--;
      if (soap_begin_serve(s)) {
        if (s->error >= SOAP_STOP) {
          soap_destroy(s);
          soap_end(s);
          continue;
        }
        if (s->error != SOAP_EOF && s->error != SOAP_TCP_ERROR) soap_send_fault(s);
        break;
      }
      if (soap_serve_request(s) && s->error && s->error < SOAP_STOP) {
        soap_send_fault(s);
        break;
      }
      ++served;
      soap_destroy(s);
      soap_end(s);
    } while (s->keep_alive);
    {
      std::lock_guard lock(mutex_);
      ended_.push_back("served " + std::to_string(served) + ", then error " +
                       std::to_string(s->error) + " errnum " + std::to_string(s->errnum) +
                       " keep_alive " + std::to_string(s->keep_alive));
      if (ended_.size() > 8) ended_.erase(ended_.begin());
    }
    soap_destroy(s);
    soap_end(s);
    soap_force_closesock(s);
    soap_free(s);
  }

  struct soap* master_ = nullptr;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> connections_;
  std::vector<std::string> ended_;
};

template <class Response>
int baseline_get(struct soap* soap, Response& response) {
  const BaselineData& d = baseline_of(soap);
  bridge::gen::items_of(response) = d.item_pointers;
  auto* header = soap_new_SOAP_ENV__Header(soap);
  header->wsrm__SequenceResponse = soap_new__wsrm__SequenceResponse(soap);
  header->wsrm__SequenceResponse->Identifier = d.identifier;
  soap->header = header;
  return SOAP_OK;
}

// ------------------------------------------------------------------------------------------
// Measurement

struct PhaseResult {
  double seconds = 0;
  Samples samples;
  int reconnects = 0;
  double client_cpu_ms = 0;
};

// Every client connects, then all start together; the phase lasts until the last one is done.
PhaseResult run_phase(int port, const std::vector<Client>& clients, int cycles_per_client) {
  std::vector<Samples> samples(clients.size());
  std::vector<int> reconnects(clients.size(), 0);
  std::vector<double> cpu(clients.size(), 0);
  PhaseResult r;
  r.seconds = run_together(
      clients.size(),
      [&](std::size_t i, const std::function<void()>& start) {
        HttpConnection c(port);
        c.connect();
        start();
        const double cpu0 = cpu_clock_ms(CLOCK_THREAD_CPUTIME_ID);
        for (int k = 0; k < cycles_per_client; ++k) run_cycle(c, clients[i], &samples[i], nullptr);
        cpu[i] = cpu_clock_ms(CLOCK_THREAD_CPUTIME_ID) - cpu0;
        reconnects[i] = c.reconnects();
      },
      [&](std::size_t i) { return clients[i].consumer; });
  for (std::size_t i = 0; i < clients.size(); ++i) {
    r.samples.append(samples[i]);
    r.reconnects += reconnects[i];
    r.client_cpu_ms += cpu[i];
  }
  return r;
}

struct Totals {
  double seconds = 0;
  int cycles = 0;
  Samples samples;
  int reconnects = 0;
  double server_cpu_ms = 0;
  bool cpu_known = true;
  double rate() const { return seconds > 0 ? cycles / seconds : 0; }
};

void compare_bodies(const char* what, const std::string& bridge, const std::string& baseline) {
  if (bridge == baseline) return;
  std::size_t i = 0;
  while (i < bridge.size() && i < baseline.size() && bridge[i] == baseline[i]) ++i;
  const auto from = i > 60 ? i - 60 : 0;
  fail(std::string("the baseline's ") + what + " response differs from the bridge's at byte " +
       std::to_string(i) + " (sizes " + std::to_string(bridge.size()) + " and " +
       std::to_string(baseline.size()) + ")\n  bridge:   ..." + bridge.substr(from, 160) +
       "\n  baseline: ..." + baseline.substr(from, 160));
}

// ------------------------------------------------------------------------------------------
// Set-up

std::string write_config(const std::string& path, const std::string& sqlite_path, const Options& o,
                         const std::vector<Client>& clients) {
  std::ofstream out(path);
  out << "# written by soap_bench\n"
      << "[server]\nhost = \"127.0.0.1\"\nport = 0\nworkers = " << o.workers << "\n"
      << "keep_alive_max_requests = " << kKeepAliveMaxRequests << "\n"
      << "service_endpoint = " << toml_string(kServiceEndpoint) << "\n"
      << "wsdl_dir = " << toml_string(o.wsdl_dir) << "\n\n"
      << "[admin]\nenabled = false\n\n"
      << "[store]\nsqlite_path = " << toml_string(sqlite_path) << "\n\n"
      << "[queue]\nmax_messages_per_sequence = " << kItemsPerSequence
      << "\ncreate_policy = \"reuse\"\n\n"
      << "[log]\nformat = \"text\"\nlevel = " << toml_string(o.log_level) << "\n";
  for (const auto& c : clients) {
    out << "\n[[consumer]]\nid = \"" << c.consumer << "\"\norganisations = [{ type = 8, code = \""
        << c.org_code << "\" }]\nmessage_types = [\"" << kOperation << "\"]\n";
  }
  out.close();
  if (!out) fail("cannot write " + path);
  return path;
}

// Queues the items with `wsrm-bridge queue add`. It commits (and fsyncs) once per message, which
// on a disk takes milliseconds each; so the database is filled on tmpfs when there is one and
// then copied into place. The bridge serves it from where --db-dir says, with its own settings.
void queue_items(const Options& o, const std::vector<Client>& clients, int per_client,
                 const std::string& db_path, const std::string& work) {
  std::string prep = fs::path(db_path).parent_path().string();
  bool on_tmpfs = false;
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec) && access("/dev/shm", W_OK) == 0) {
    prep = make_temp_dir("/dev/shm", "soap-bench");
    on_tmpfs = true;
  }
  struct RemovePrep {
    const std::string& dir;
    bool active;
    ~RemovePrep() {
      std::error_code ignored;
      if (active) fs::remove_all(dir, ignored);
    }
  } remove_prep{prep, on_tmpfs};
  const std::string prep_db = on_tmpfs ? prep + "/bridge.db" : db_path;
  const std::string config = write_config(prep + "/queue.toml", prep_db, o, clients);
  for (const auto& c : clients) {
    run_tool(
        {o.bridge, "queue", "add", "-c", config, "--consumer", c.consumer, "--operation",
         kOperation, "--item", o.item, "--count", std::to_string(per_client), "--key", c.consumer},
        work + "/queue.log");
  }
  if (on_tmpfs) {
    for (const char* suffix : {"", "-wal"}) {
      if (!fs::exists(prep_db + suffix)) continue;
      fs::copy_file(prep_db + suffix, db_path + suffix);
      // Written back now, so that the kernel's background write-back of a few hundred MB
      // does not run during the measurement.
      const FileDescriptor fd(::open((db_path + suffix).c_str(), O_RDONLY));
      if (fd.get() < 0 || ::fsync(fd.get()) != 0) fail("cannot sync " + db_path + suffix);
    }
  }
}

struct QueueFigures {
  long long pending = 0, in_sequence = 0, delivered = 0;
};

// `wsrm-bridge queue stats` for the bench consumers.
QueueFigures queue_stats(const Options& o, const std::string& config, const std::string& work,
                         const std::vector<Client>& clients) {
  const std::string out = work + "/stats.txt";
  run_tool({o.bridge, "queue", "stats", "-c", config}, out);
  std::istringstream in(read_text(out));
  std::string line;
  QueueFigures f;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string consumer, sub;
    long long pending = 0, in_seq = 0, delivered = 0;
    if (!(row >> consumer >> sub >> pending >> in_seq >> delivered)) continue;
    for (const auto& c : clients) {
      if (c.consumer == consumer) {
        f.pending += pending;
        f.in_sequence += in_seq;
        f.delivered += delivered;
      }
    }
  }
  return f;
}

// ------------------------------------------------------------------------------------------

void print_row(const char* name, const Totals& t) {
  const auto& s = t.samples;
  std::printf("%-18s %9.1f %11.1f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f", name, t.rate(),
              3 * t.rate(), percentile(s.get_ms, 50), percentile(s.get_ms, 99),
              percentile(s.create_ms, 50), percentile(s.create_ms, 99),
              percentile(s.terminate_ms, 50), percentile(s.terminate_ms, 99));
  if (t.cpu_known && t.cycles > 0) {
    std::printf(" %10.2f\n", t.server_cpu_ms / t.cycles);
  } else {
    std::printf(" %10s\n", "n/a");
  }
}

// Everything after the work directory exists; throws on any failure.
void measure(const Options& o, const std::vector<Client>& clients, int per_round, int per_client,
             const std::string& work, const std::string& db_path, Clock::time_point started) {
  std::printf(
      "soap_bench: %d cycles of CreateSequence + Get(%d items) + TerminateSequence per "
      "server\n  %d client(s) x %d round(s) x %d cycle(s); build %s; gSOAP %d; %u CPU(s)\n",
      o.cycles, kItemsPerSequence, o.clients, o.rounds, per_round, BRIDGE_BENCH_BUILD_TYPE,
      GSOAP_VERSION, std::thread::hardware_concurrency());
  std::fflush(stdout);

  // 1. Queue: every measured cycle plus one warm-up cycle per client.
  const auto q0 = Clock::now();
  const int queued_per_client = (per_client + 1) * kItemsPerSequence;
  queue_items(o, clients, queued_per_client, db_path, work);
  const std::string config = write_config(work + "/bridge.toml", db_path, o, clients);
  std::printf("  queued %d items for each of %d consumer(s) in %.1f s\n", queued_per_client,
              o.clients, std::chrono::duration<double>(Clock::now() - q0).count());

  // 2. The bridge; one recorded cycle (client 1's warm-up), then the others' warm-up.
  BridgeProcess bridge(o.bridge, config, work, "soap=");
  std::printf("  bridge: %s (pid %d, port %d), workers %d, log level %s, database %s\n",
              o.bridge.c_str(), static_cast<int>(bridge.pid()), bridge.port(), o.workers,
              o.log_level.c_str(), db_path.c_str());
  CycleBodies recorded;
  for (const auto& c : clients) {
    HttpConnection conn(bridge.port());
    run_cycle(conn, c, nullptr, c.index == 0 ? &recorded : nullptr);
  }

  // 3. The baseline, from the recorded bytes; its answers must be the bridge's, byte for byte.
  BaselineData data;
  data.identifier = element_text(recorded.create, "Identifier");
  data.endpoint = element_text(recorded.create, "ServiceEndpoint");
  data.message_count = std::stoi(element_text(recorded.create, "MessageCount"));
  data.items = extract_items(recorded.get);
  for (auto& item : data.items) data.item_pointers.push_back(item.data());
  if (static_cast<int>(data.items.size()) != kItemsPerSequence) {
    fail("could not take " + std::to_string(kItemsPerSequence) + " items from the recorded Get");
  }
  BaselineServer baseline(data);
  {
    CycleBodies answered;
    for (const auto& c : clients) {
      HttpConnection conn(baseline.port());
      run_cycle(conn, c, nullptr, c.index == 0 ? &answered : nullptr);
    }
    compare_bodies("CreateSequence", recorded.create, answered.create);
    compare_bodies("Get", recorded.get, answered.get);
    compare_bodies("TerminateSequence", recorded.terminate, answered.terminate);
  }
  // The baseline needs no queue, so it gets a full round of warm-up (connections, allocator).
  run_phase(baseline.port(), clients, per_round);
  std::printf(
      "  response bodies: CreateSequence %zu B, Get %zu B (%zu B per item), "
      "TerminateSequence %zu B; baseline bytes identical to the bridge's: yes\n",
      recorded.create.size(), recorded.get.size(), data.items[0].size(), recorded.terminate.size());

  // 4. Alternating rounds.
  Totals base, real;
  const std::vector<double> round_ratios =
      alternate_rounds(o.rounds, "baseline cyc/s", "bridge cyc/s", [&](int r, bool is_baseline) {
        Totals& t = is_baseline ? base : real;
        const int port = is_baseline ? baseline.port() : bridge.port();
        const double process_cpu0 = cpu_clock_ms(CLOCK_PROCESS_CPUTIME_ID);
        const auto bridge_cpu0 = process_cpu_ms(bridge.pid());
        PhaseResult p;
        try {
          p = run_phase(port, clients, per_round);
        } catch (const std::exception& e) {
          // The bridge drains and exits on SIGTERM: a broad pkill/killall elsewhere.
          const std::string context =
              is_baseline ? baseline.recent_connections() : bridge.exit_context();
          fail(std::string(is_baseline ? "baseline" : "bridge") + ", round " +
               std::to_string(r + 1) + ": " + e.what() + context);
        }
        if (is_baseline) {
          // This process runs the baseline and the clients: its CPU minus the clients' own.
          t.server_cpu_ms +=
              cpu_clock_ms(CLOCK_PROCESS_CPUTIME_ID) - process_cpu0 - p.client_cpu_ms;
        } else {
          add_cpu(bridge_cpu0, process_cpu_ms(bridge.pid()), t.server_cpu_ms, t.cpu_known);
        }
        const int cycles = per_round * o.clients;
        t.seconds += p.seconds;
        t.cycles += cycles;
        t.reconnects += p.reconnects;
        t.samples.append(p.samples);
        return cycles / p.seconds;
      });

  // 5. Results.
  std::printf("\n%-18s %9s %11s %9s %9s %9s %9s %9s %9s %10s\n", "server", "cycles/s", "requests/s",
              "Get p50", "Get p99", "Crt p50", "Crt p99", "Trm p50", "Trm p99", "CPU/cycle");
  std::printf("%-18s %9s %11s %9s %9s %9s %9s %9s %9s %10s\n", "", "", "", "ms", "ms", "ms", "ms",
              "ms", "ms", "ms");
  print_row("baseline (gSOAP)", base);
  print_row("wsrm-bridge", real);
  const double ratio = real.rate() / base.rate();
  print_ratio("cycles/s", ratio, round_ratios);
  std::printf(
      "  %d samples per latency column; keep-alive reconnects (server limit %d requests): "
      "baseline %d, bridge %d\n",
      base.cycles, kKeepAliveMaxRequests, base.reconnects, real.reconnects);

  bridge.stop_cleanly();
  const QueueFigures q = queue_stats(o, config, work, clients);
  const long long expected = static_cast<long long>(o.clients) * queued_per_client;
  std::printf(
      "  bridge queue after the run: %lld delivered (expected %lld), %lld pending, %lld "
      "in an open sequence; clean shutdown\n",
      q.delivered, expected, q.pending, q.in_sequence);
  if (q.delivered != expected || q.pending != 0 || q.in_sequence != 0) {
    fail("the bridge did not drain its queue as expected");
  }
  print_total_run_time(started);
}

int run(const Options& o) {
  const auto started = Clock::now();
  prepare_run(o.bridge);
  const auto clients = make_clients(o.clients);
  const int per_round = o.cycles / (o.clients * o.rounds);
  const int per_client = per_round * o.rounds;
  return run_in_work_dir("soap_bench", o.db_dir, o.keep, "database",
                         [&](const std::string& work, const std::string& db_dir) {
                           measure(o, clients, per_round, per_client, work, db_dir + "/bridge.db",
                                   started);
                         });
}

}  // namespace

// The six operations of the baseline server (the generated dispatcher calls them).

int __wsrm3__CreateSequence(struct soap* soap, _wsrm3__CreateSequence*,
                            _wsrm3__CreateSequenceResponse& response) {
  const BaselineData& d = baseline_of(soap);
  response.wsrm__Identifier = d.identifier;
  response.wsrm__ServiceInventoryCollection = soap_new_wsrm__ServiceInventoryCollectionType(soap);
  auto* item = soap_new_wsrm__ServiceItemType(soap);
  item->ServiceName = kOperation;
  item->ServiceEndpoint = d.endpoint;
  item->MessageCount = d.message_count;
  response.wsrm__ServiceInventoryCollection->ServiceItem.push_back(item);
  soap->header = nullptr;
  return SOAP_OK;
}

int __wsrm3__CloseSequence(struct soap* soap, _wsrm3__CloseSequence*,
                           _wsrm3__CloseSequenceResponse& response) {
  response.wsrm__Identifier = baseline_of(soap).identifier;
  soap->header = nullptr;
  return SOAP_OK;
}

int __wsrm3__TerminateSequence(struct soap* soap, _wsrm3__TerminateSequence*,
                               _wsrm3__TerminateSequenceResponse& response) {
  response.wsrm__Identifier = baseline_of(soap).identifier;
  soap->header = nullptr;
  return SOAP_OK;
}

int __v11__GetIndkaldelseVersion1(struct soap* soap, v11__WsrmRequestType*,
                                  _v11__GetIndkaldelseVersion1Response& response) {
  return baseline_get(soap, response);
}

int __v11__GetIndkaldelseshaendelseVersion1(
    struct soap* soap, v11__WsrmRequestType*,
    _v11__GetIndkaldelseshaendelseVersion1Response& response) {
  return baseline_get(soap, response);
}

int __v11__GetAkasseIndkaldelseVersion1(struct soap* soap, v11__WsrmRequestType*,
                                        _v11__GetAkasseIndkaldelseVersion1Response& response) {
  return baseline_get(soap, response);
}

int main(int argc, char** argv) {
  return bench::guarded_main("soap_bench", [&] { return run(parse_options(argc, argv)); });
}
