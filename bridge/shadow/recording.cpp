#include "bridge/shadow/recording.h"

#include "bridge/core/hash.h"

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace bridge::shadow {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

Error usage(std::string message) {
  return make_error(ErrorDomain::io, static_cast<int>(ShadowErrc::usage), std::move(message));
}
Error stopped(std::string message) {
  return make_error(ErrorDomain::io, static_cast<int>(ShadowErrc::stopped), std::move(message));
}
std::string os_error() { return std::strerror(errno); }

// Owns one file descriptor for the length of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// A new or renamed directory entry is durable only once its directory is fsynced.
bool fsync_dir(const fs::path& dir) {
  const Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  return fd.get() >= 0 && ::fsync(fd.get()) == 0;
}

// Writes a whole file and fsyncs it (truncating what a crashed run may have left there).
Result<void> write_file_durably(const fs::path& path, std::string_view data) {
  const Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return stopped(path.string() + ": cannot be written: " + os_error());
  if (!write_all(fd.get(), data) || ::fsync(fd.get()) != 0) {
    return stopped(path.string() + ": write failed: " + os_error());
  }
  return ok();
}

Result<std::string> read_whole(const fs::path& path) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return usage(path.string() + ": cannot be read: " + os_error());
  std::string data;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return usage(path.string() + ": read failed: " + os_error());
    if (n == 0) return data;
    data.append(buffer, static_cast<std::size_t>(n));
  }
}

std::string describe(const Manifest& m) {
  return "url " + m.url + ", organisation " + std::to_string(m.organisation.type) + "/" +
         m.organisation.code + ", " + (m.sub_queue ? "sub-queue " + *m.sub_queue : "main queue");
}

bool same_source(const Manifest& a, const Manifest& b) {
  return a.url == b.url && a.organisation.type == b.organisation.type &&
         a.organisation.code == b.organisation.code && a.sub_queue == b.sub_queue;
}

// A directory that holds nothing, or only the temporary manifest of a crashed first start.
Result<bool> is_empty_dir(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename() != "recording.json.tmp") return false;
  }
  if (ec) return usage(dir.string() + ": cannot be listed: " + ec.message());
  return true;
}

Result<void> create_recording(const fs::path& dir, const Manifest& wanted) {
  const fs::path tmp = dir / "recording.json.tmp";
  BRIDGE_TRY(write_file_durably(tmp, to_json(wanted) + "\n"));
  if (::rename(tmp.c_str(), (dir / "recording.json").c_str()) != 0 || !fsync_dir(dir)) {
    return usage((dir / "recording.json").string() + ": cannot be created: " + os_error());
  }
  return ok();
}

}  // namespace

std::string to_json(const Manifest& m) {
  Json j;
  j["format"] = kRecordingFormat;
  j["url"] = m.url;
  j["organisation"] = {{"type", m.organisation.type}, {"code", m.organisation.code}};
  j["sub_queue"] = m.sub_queue ? Json(*m.sub_queue) : Json(nullptr);
  j["created_at"] = m.created_at;
  j["tool"] = m.tool;
  return j.dump(2, ' ', false, Json::error_handler_t::replace);
}

Result<Manifest> parse_manifest(std::string_view text) {
  const Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return usage("not a JSON object");
  Manifest m;
  try {
    const std::string format = j.at("format").get<std::string>();
    if (format != kRecordingFormat) {
      return usage("format is '" + format + "', this tool writes " + kRecordingFormat);
    }
    m.url = j.at("url").get<std::string>();
    m.organisation.type = j.at("organisation").at("type").get<int>();
    m.organisation.code = j.at("organisation").at("code").get<std::string>();
    if (!j.at("sub_queue").is_null()) m.sub_queue = j.at("sub_queue").get<std::string>();
    m.created_at = j.value("created_at", "");
    m.tool = j.value("tool", "");
  } catch (const Json::exception& e) {  // nlohmann reports a missing or mistyped field by throwing
    return usage(std::string("missing or mistyped field: ") + e.what());
  }
  return m;
}

Recording::Recording(fs::path dir, Manifest manifest, int log_fd)
    : dir_(std::move(dir)), manifest_(std::move(manifest)), log_fd_(log_fd) {}

Recording::~Recording() {
  if (log_fd_ >= 0) ::close(log_fd_);
}

Result<std::unique_ptr<Recording>> Recording::open(const fs::path& dir, const Manifest& wanted,
                                                   std::vector<std::string>& warnings) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    return usage(dir.string() + ": cannot create the recording directory: " +
                 (ec ? ec.message() : std::string("not a directory")));
  }
  const fs::path manifest_path = dir / "recording.json";
  if (!fs::exists(manifest_path)) {
    BRIDGE_TRY(const bool empty, is_empty_dir(dir));
    if (!empty) {
      return usage(dir.string() +
                   ": not empty and has no recording.json; give a new or empty directory");
    }
    BRIDGE_TRY(create_recording(dir, wanted));
  }
  BRIDGE_TRY(const std::string manifest_text, read_whole(manifest_path));
  auto manifest = parse_manifest(manifest_text);
  if (!manifest) return usage(manifest_path.string() + ": " + manifest.error().message);
  if (!same_source(manifest.value(), wanted)) {
    return usage(manifest_path.string() + " records " + describe(manifest.value()) +
                 "; this run has " + describe(wanted) +
                 ". A recording holds one source only: give another --out directory");
  }
  const fs::path responses = dir / "responses";
  fs::create_directories(responses, ec);
  if (ec) return usage(responses.string() + ": cannot be created: " + ec.message());
  const fs::path log_path = dir / "log.jsonl";
  Fd log(::open(log_path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
  if (log.get() < 0) return usage(log_path.string() + ": cannot be opened: " + os_error());
  if (::flock(log.get(), LOCK_EX | LOCK_NB) != 0) {
    return usage(log_path.string() + ": in use by another wsrm-bridge shadow (" + os_error() + ")");
  }
  // Access write permission checked now, not at the first response.
  if (::access(responses.c_str(), W_OK) != 0) {
    return usage(responses.string() + ": not writable: " + os_error());
  }
  if (!fsync_dir(dir)) return usage(dir.string() + ": cannot be synced: " + os_error());
  std::unique_ptr<Recording> recording(
      new Recording(dir, std::move(manifest).value(), log.release()));
  BRIDGE_TRY(recording->read_log(warnings));
  return recording;
}

Result<void> Recording::read_log(std::vector<std::string>& warnings) {
  const fs::path log_path = dir_ / "log.jsonl";
  BRIDGE_TRY(const std::string data, read_whole(log_path));
  std::size_t committed = 0;  // bytes up to and including the last good line's newline
  std::size_t at = 0;
  int line_number = 0;
  while (at < data.size()) {
    ++line_number;
    const std::size_t newline = data.find('\n', at);
    const bool complete = newline != std::string::npos;
    const std::string_view text(data.data() + at, (complete ? newline : data.size()) - at);
    auto line = complete ? parse_log_line(text) : Result<LogLine>(usage("no newline"));
    const bool last = !complete || newline + 1 == data.size();
    if (!line) {
      if (!last) {
        return usage(log_path.string() + ":" + std::to_string(line_number) + ": " +
                     line.error().message + "; the recording is corrupt");
      }
      // A crash while the line was written: it never committed anything, so it goes.
      warnings.push_back(log_path.string() + ":" + std::to_string(line_number) +
                         ": torn last line (" + std::to_string(data.size() - at) +
                         " bytes) from an interrupted run, cut off");
      if (::ftruncate(log_fd_, static_cast<off_t>(committed)) != 0 || ::fsync(log_fd_) != 0) {
        return usage(log_path.string() + ": cannot cut off the torn line: " + os_error());
      }
      break;
    }
    if (line.value().n != next_n_) {
      return usage(log_path.string() + ":" + std::to_string(line_number) + ": n is " +
                   std::to_string(line.value().n) + ", expected " + std::to_string(next_n_) +
                   "; the recording is corrupt");
    }
    lines_.push_back(std::move(line).value());
    ++next_n_;
    committed = newline + 1;
    at = committed;
  }
  log_size_ = static_cast<std::int64_t>(committed);
  return ok();
}

Result<LogLine> Recording::append(LogLine line, std::string_view body) {
  if (broken_) return stopped("the recording refused further calls after a failed write");
  line.n = next_n_;
  line.file = response_file_name(line.n, line.call);
  line.bytes = static_cast<std::int64_t>(body.size());
  line.sha256 = sha256_hex(body);
  // The response file first: a log line must never point at a file that is not on disk.
  auto written = write_file_durably(dir_ / line.file, body);
  if (written && !fsync_dir(dir_ / "responses")) {
    written = stopped((dir_ / "responses").string() + ": cannot be synced: " + os_error());
  }
  if (!written) {
    broken_ = true;
    return std::move(written).error();
  }
  const std::string text = to_json_line(line) + "\n";
  if (!write_all(log_fd_, text) || ::fsync(log_fd_) != 0) {
    const std::string why = os_error();
    // Undo a partial line so the log stays a list of whole lines.
    (void)!::ftruncate(log_fd_, static_cast<off_t>(log_size_));
    broken_ = true;
    return stopped((dir_ / "log.jsonl").string() + ": write failed: " + why);
  }
  log_size_ += static_cast<std::int64_t>(text.size());
  ++next_n_;
  lines_.push_back(line);
  return line;
}

}  // namespace bridge::shadow
