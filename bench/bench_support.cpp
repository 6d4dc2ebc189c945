// bench_support: what soap_bench and ingest_bench do the same way. See bench_support.h.

#include "bench_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <latch>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace bench {

namespace fs = std::filesystem;

// ------------------------------------------------------------------------------------------
// Errors and time

void fail(const std::string& message) { throw std::runtime_error(message); }

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// ------------------------------------------------------------------------------------------
// Command-line arguments

std::string ArgCursor::value() {
  if (i_ + 1 >= argc_) fail(std::string(argv_[i_]) + " needs a value");
  return argv_[++i_];
}

int ArgCursor::number(int min, int max) {
  const std::string name = argv_[i_];
  const std::string v = value();
  char* end = nullptr;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < min || n > max) {
    fail(name + " must be an integer in " + std::to_string(min) + ".." + std::to_string(max));
  }
  return static_cast<int>(n);
}

void ArgCursor::help_or_unknown(void (*usage)(std::FILE*)) const {
  const std::string a = arg();
  if (a == "-h" || a == "--help") {
    usage(stdout);
    std::exit(0);
  }
  usage(stderr);
  fail("unknown argument " + a);
}

void check_common_options(const std::string& bridge, const char* total_option, int total,
                          int clients, int rounds) {
  if (bridge.empty()) fail("--bridge is required (no default was configured at build time)");
  if (total % (clients * rounds) != 0) {
    fail(std::string(total_option) + " (" + std::to_string(total) +
         ") must be a multiple of clients x rounds (" + std::to_string(clients * rounds) + ")");
  }
}

// ------------------------------------------------------------------------------------------
// Child processes and the bridge

pid_t spawn(const std::vector<std::string>& args, const std::string& log_path) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) fail("cannot start " + args[0] + ": " + std::strerror(rc));
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) fail(std::string("waitpid: ") + std::strerror(errno));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string tail_of(const std::string& path, std::size_t bytes) {
  const std::string s = read_text(path);
  return s.size() <= bytes ? s : "..." + s.substr(s.size() - bytes);
}

BridgeProcess::BridgeProcess(const std::string& binary, const std::string& config,
                             const std::string& dir, const std::string& port_key,
                             const char* zero_port_note)
    : log_(dir + "/bridge.log") {
  const std::string port_file = dir + "/ports";
  pid_ = spawn({binary, "serve", "-c", config, "--port-file", port_file}, log_);
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      fail("wsrm-bridge serve exited during start-up:\n" + tail_of(log_));
    }
    const std::string ports = read_text(port_file);
    const auto pos = ports.find(port_key);
    if (pos != std::string::npos && ports.find('\n', pos) != std::string::npos) {
      port_ = std::atoi(ports.c_str() + pos + port_key.size());
      if (port_ > 0) return;
      if (zero_port_note) {
        fail("wsrm-bridge serve wrote " + port_key + "0 to " + port_file + " (" + zero_port_note +
             "):\n" + tail_of(log_));
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  fail("wsrm-bridge serve did not write " + port_file + " within 20 s:\n" + tail_of(log_));
}

BridgeProcess::~BridgeProcess() {
  try {
    stop();
  } catch (...) {
  }
}

bool BridgeProcess::exited(std::chrono::milliseconds grace) {
  const auto deadline = Clock::now() + grace;
  while (pid_ >= 0) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      pid_ = -1;
    } else if (Clock::now() > deadline) {
      return false;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return true;
}

std::string BridgeProcess::exit_context() {
  if (!exited(std::chrono::seconds(3))) return {};
  return "\nwsrm-bridge serve exited during the measurement (exit code " + std::to_string(stop()) +
         "); the end of its log:\n" + tail_of(log_, 800);
}

int BridgeProcess::stop() {
  if (pid_ < 0) return exit_code_;
  kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  pid_ = -1;
  return exit_code_;
}

void BridgeProcess::stop_cleanly() {
  const int code = stop();
  if (code != 0) {
    fail("wsrm-bridge serve exited with " + std::to_string(code) + ":\n" + tail_of(log_));
  }
}

// ------------------------------------------------------------------------------------------
// CPU accounting

std::optional<double> process_cpu_ms(pid_t pid) {
  std::error_code ec;
  double total_ns = 0;
  bool any = false;
  for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "schedstat");
    double ns = 0;
    if (in >> ns) {
      total_ns += ns;
      any = true;
    }
  }
  if (ec || !any) return std::nullopt;
  return total_ns / 1e6;
}

double cpu_clock_ms(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

void add_cpu(const std::optional<double>& before, const std::optional<double>& after, double& total,
             bool& known) {
  if (before && after) {
    total += *after - *before;
  } else {
    known = false;
  }
}

// ------------------------------------------------------------------------------------------
// Loopback HTTP/1.1 client pieces

int connect_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) fail(std::string("socket: ") + std::strerror(errno));
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd);
    fail("connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(err));
  }
  return fd;
}

bool send_all(int fd, std::string_view data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) return false;
    if (n <= 0) fail(std::string("send: ") + std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

bool receive_some(int fd, std::string& buf, std::size_t chunk, bool reset_is_end) {
  char block[64 * 1024];
  const std::size_t want = std::min(chunk, sizeof block);
  while (true) {
    const ssize_t n = ::recv(fd, block, want, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && reset_is_end && errno == ECONNRESET) return false;
    if (n < 0) fail(std::string("recv: ") + std::strerror(errno));
    if (n == 0) return false;
    buf.append(block, static_cast<std::size_t>(n));
    return true;
  }
}

ResponseHead parse_head(std::string head) {
  for (auto& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (head.compare(0, 5, "http/") != 0 || head.find(' ') == std::string::npos) {
    fail("not an HTTP response: " + head.substr(0, 80));
  }
  ResponseHead r;
  r.status = std::atoi(head.c_str() + head.find(' ') + 1);
  const auto header = [&](const char* name) -> std::optional<std::string> {
    const std::string key = std::string("\r\n") + name + ":";
    const auto p = head.find(key);
    if (p == std::string::npos) return std::nullopt;
    auto b = p + key.size();
    while (b < head.size() && head[b] == ' ') ++b;
    const auto e = head.find("\r\n", b);
    return head.substr(b, e == std::string::npos ? std::string::npos : e - b);
  };
  const auto connection = header("connection");
  r.close = connection && connection->find("close") != std::string::npos;
  r.content_length = header("content-length");
  r.transfer_encoding = header("transfer-encoding");
  r.text = std::move(head);
  return r;
}

// ------------------------------------------------------------------------------------------
// Latency statistics

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size()) + 0.999999);
  rank = std::clamp<std::size_t>(rank, 1, v.size());
  return v[rank - 1];
}

// ------------------------------------------------------------------------------------------
// Clients started together

double run_together(std::size_t n,
                    const std::function<void(std::size_t, const std::function<void()>&)>& client,
                    const std::function<std::string(std::size_t)>& label) {
  std::latch ready(static_cast<std::ptrdiff_t>(n)), go(1);
  std::vector<std::string> errors(n);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      bool counted = false;
      const std::function<void()> start = [&] {
        ready.count_down();
        counted = true;
        go.wait();
      };
      try {
        client(i, start);
      } catch (const std::exception& e) {
        errors[i] = label(i) + ": " + e.what();
        if (!counted) ready.count_down();
      }
    });
  }
  ready.wait();
  const auto t0 = Clock::now();
  go.count_down();
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  for (const auto& e : errors) {
    if (!e.empty()) fail(e);
  }
  return seconds;
}

// ------------------------------------------------------------------------------------------
// Alternating rounds and their table

std::vector<double> alternate_rounds(int rounds, const char* baseline_column,
                                     const char* bridge_column,
                                     const std::function<double(int, bool)>& phase) {
  std::printf("\n%-6s %-9s %16s %16s %8s\n", "round", "first", baseline_column, bridge_column,
              "ratio");
  std::vector<double> round_ratios;
  for (int r = 0; r < rounds; ++r) {
    const bool baseline_first = r % 2 == 0;
    double round_rate[2] = {0, 0};
    for (int step = 0; step < 2; ++step) {
      const bool is_baseline = (step == 0) == baseline_first;
      round_rate[is_baseline ? 0 : 1] = phase(r, is_baseline);
    }
    round_ratios.push_back(round_rate[1] / round_rate[0]);
    std::printf("%-6d %-9s %16.1f %16.1f %8.3f\n", r + 1, baseline_first ? "baseline" : "bridge",
                round_rate[0], round_rate[1], round_ratios.back());
  }
  return round_ratios;
}

void print_ratio(const char* unit, double ratio, const std::vector<double>& round_ratios) {
  std::printf("\nratio bridge/baseline (%s): %.3f   [per round: median %.3f, %.3f .. %.3f]\n", unit,
              ratio, percentile(round_ratios, 50),
              *std::min_element(round_ratios.begin(), round_ratios.end()),
              *std::max_element(round_ratios.begin(), round_ratios.end()));
}

// ------------------------------------------------------------------------------------------
// Configuration and work directories

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string make_temp_dir(const std::string& parent, const std::string& prefix) {
  std::string tmpl = parent + "/" + prefix + ".XXXXXX";
  if (!mkdtemp(tmpl.data())) fail("mkdtemp in " + parent + ": " + std::strerror(errno));
  return tmpl;
}

// ------------------------------------------------------------------------------------------
// The run frame

void prepare_run(const std::string& bridge) {
  std::signal(SIGPIPE, SIG_IGN);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (access(bridge.c_str(), X_OK) != 0) fail(bridge + ": not an executable");
}

int run_in_work_dir(const char* program, const std::string& db_dir_option, bool keep,
                    const char* db_label,
                    const std::function<void(const std::string&, const std::string&)>& body) {
  std::string prefix = program;
  std::replace(prefix.begin(), prefix.end(), '_', '-');
  const char* tmp = std::getenv("TMPDIR");
  const std::string work = make_temp_dir(tmp && *tmp ? tmp : "/tmp", prefix);
  std::string db_dir = work;
  bool success = false;
  try {
    if (!db_dir_option.empty()) db_dir = make_temp_dir(db_dir_option, prefix);
    body(work, db_dir);
    success = true;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
  }
  std::error_code ec;
  if (success && !keep) {
    if (db_dir != work) fs::remove_all(db_dir, ec);
    fs::remove_all(work, ec);
  } else {
    std::fprintf(stderr, "%s: work directory kept: %s%s\n", program, work.c_str(),
                 db_dir != work ? (", " + std::string(db_label) + " in " + db_dir).c_str() : "");
  }
  return success ? 0 : 1;
}

void print_total_run_time(Clock::time_point started) {
  std::printf("  total run time %.1f s\n",
              std::chrono::duration<double>(Clock::now() - started).count());
}

int guarded_main(const char* program, const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return 1;
  }
}

}  // namespace bench
