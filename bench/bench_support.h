// bench_support: what soap_bench and ingest_bench do the same way. See bench/README.md.
//
// Sections: errors and time; command-line arguments; child processes and the bridge; CPU
// accounting; loopback HTTP client pieces; latency statistics; clients started together;
// alternating rounds and their table; configuration and work directories; the run frame.

#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

// ------------------------------------------------------------------------------------------
// Errors and time

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& message);

double ms_between(Clock::time_point a, Clock::time_point b);

// ------------------------------------------------------------------------------------------
// Command-line arguments

// Walks argv[1..]; value() and number() consume the value of the current option.
class ArgCursor {
 public:
  ArgCursor(int argc, char** argv) : argc_(argc), argv_(argv) {}
  bool next() { return ++i_ < argc_; }
  std::string arg() const { return argv_[i_]; }
  std::string value();           // fails: "<option> needs a value"
  int number(int min, int max);  // fails: "<option> must be an integer in min..max"
  // For an argument no option took: -h/--help prints usage to stdout and exits 0; anything
  // else prints it to stderr and fails with "unknown argument <a>".
  [[noreturn]] void help_or_unknown(void (*usage)(std::FILE*)) const;

 private:
  int argc_;
  char** argv_;
  int i_ = 0;
};

// The checks both benches make after parsing: a bridge binary, and a total that the clients
// and rounds divide.
void check_common_options(const std::string& bridge, const char* total_option, int total,
                          int clients, int rounds);

// ------------------------------------------------------------------------------------------
// Child processes and the bridge

// Starts argv[0] with stdout and stderr appended to log_path.
pid_t spawn(const std::vector<std::string>& args, const std::string& log_path);
int wait_exit(pid_t pid);
std::string read_text(const std::string& path);
std::string tail_of(const std::string& path, std::size_t bytes = 2000);

// The bridge as a child process; stopped with SIGTERM (its clean shutdown) when it goes away.
// It is started with --port-file <dir>/ports, and port() is the one written as `port_key`
// ("soap=", "webhook="). A 0 there fails with `zero_port_note` when one is given and is
// otherwise waited out like a missing line.
class BridgeProcess {
 public:
  BridgeProcess(const std::string& binary, const std::string& config, const std::string& dir,
                const std::string& port_key, const char* zero_port_note = nullptr);
  BridgeProcess(const BridgeProcess&) = delete;
  BridgeProcess& operator=(const BridgeProcess&) = delete;
  ~BridgeProcess();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& log() const { return log_; }

  // Whether it exits on its own within `grace` (it is reaped then): a crash, or a SIGTERM from
  // elsewhere, after which it drains for a moment before exiting.
  bool exited(std::chrono::milliseconds grace);

  // For an error during a measurement: when it exited on its own within 3 s (a broad
  // pkill/killall elsewhere looks like this), a paragraph with its exit code and the end of its
  // log; otherwise empty.
  std::string exit_context();

  // SIGTERM, then SIGKILL after 10 s; returns the exit code (0: clean).
  int stop();

  // stop(), failing unless the exit code is 0.
  void stop_cleanly();

 private:
  std::string log_;
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_code_ = 0;
};

// ------------------------------------------------------------------------------------------
// CPU accounting

// CPU time (ms) used so far by every thread of a process, from /proc/<pid>/task/*/schedstat.
std::optional<double> process_cpu_ms(pid_t pid);

double cpu_clock_ms(clockid_t id);

// Adds after - before to total, or marks it unknown when either reading is missing.
void add_cpu(const std::optional<double>& before, const std::optional<double>& after, double& total,
             bool& known);

// ------------------------------------------------------------------------------------------
// Loopback HTTP/1.1 client pieces

struct HttpResponse {
  int status = 0;
  bool close = false;  // the server announced (or did) a close after this response
  std::string body;
};

// A TCP connection to 127.0.0.1:port (TCP_NODELAY, 30 s send and receive timeouts).
int connect_loopback(int port);

// Sends all of data; false when the peer has closed (EPIPE, ECONNRESET), errno telling which.
bool send_all(int fd, std::string_view data);

// Appends what the socket has (at most chunk bytes); false at end of stream, and at a reset
// when reset_is_end.
bool receive_some(int fd, std::string& buf, std::size_t chunk, bool reset_is_end);

// A response head (status line and headers, without the empty line), parsed.
struct ResponseHead {
  int status = 0;
  bool close = false;  // Connection: close
  std::optional<std::string> content_length, transfer_encoding;
  std::string text;  // the whole head, lower-cased
};

ResponseHead parse_head(std::string head);  // fails unless it is an HTTP response

// ------------------------------------------------------------------------------------------
// Latency statistics

// The nearest-rank percentile p (0..100); 0 for no values.
double percentile(std::vector<double> v, double p);

// ------------------------------------------------------------------------------------------
// Clients started together

// Runs client(i, start) for i in 0..n-1, each on its own thread. A client sets itself up
// (connects), calls start() and then does its work; the work begins on all of them at once,
// and the returned seconds last until the last one is done. The first error (by index) is
// thrown again as "<label(i)>: <what>".
double run_together(std::size_t n,
                    const std::function<void(std::size_t, const std::function<void()>&)>& client,
                    const std::function<std::string(std::size_t)>& label);

// ------------------------------------------------------------------------------------------
// Alternating rounds and their table

// rounds rounds; odd ones (1, 3, ...) measure the baseline first, even ones the bridge first.
// phase(round, is_baseline) measures one phase and returns its rate. Prints the table
// (round, first, baseline_column, bridge_column, ratio) and returns the per-round ratios
// bridge/baseline.
std::vector<double> alternate_rounds(int rounds, const char* baseline_column,
                                     const char* bridge_column,
                                     const std::function<double(int, bool)>& phase);

// "\nratio bridge/baseline (<unit>): <ratio>   [per round: median, min .. max]"
void print_ratio(const char* unit, double ratio, const std::vector<double>& round_ratios);

// ------------------------------------------------------------------------------------------
// Configuration and work directories

std::string toml_string(const std::string& s);

// A new directory <parent>/<prefix>.XXXXXX.
std::string make_temp_dir(const std::string& parent, const std::string& prefix);

// ------------------------------------------------------------------------------------------
// The run frame

// SIGPIPE ignored, stdout line-buffered, and the bridge binary checked.
void prepare_run(const std::string& bridge);

// Makes the work directory (under $TMPDIR or /tmp, prefix `program` with - for _) and, when
// db_dir_option is set, a database directory in it; runs body(work, db_dir); reports an error
// as "<program>: error: ..."; removes both directories after success unless keep, and names them
// on stderr otherwise (", <db_label> in <dir>"). Returns the exit code.
int run_in_work_dir(const char* program, const std::string& db_dir_option, bool keep,
                    const char* db_label,
                    const std::function<void(const std::string&, const std::string&)>& body);

void print_total_run_time(Clock::time_point started);

// main(): body(), or 1 after "<program>: error: ..." on stderr.
int guarded_main(const char* program, const std::function<int()>& body);

}  // namespace bench
