#pragma once
// The recording directory of `wsrm-bridge shadow` (docs/shadow.md, "Recording format"):
//   DIR/recording.json            the manifest, written once when DIR is created
//   DIR/log.jsonl                 one LogLine per call, appended and fsynced in call order
//   DIR/responses/NNNNNN-<call>.xml  each raw response body, fsynced before its log line
// A response file without a log line is garbage from a crash and is overwritten; a torn last
// log line is cut off when the recording is opened again. While open, the log is locked
// (flock), so two recorders never write one directory.

#include "bridge/core/result.h"
#include "bridge/shadow/log_line.h"
#include "bridge/shadow/options.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bridge::shadow {

inline constexpr const char* kRecordingFormat = "wsrm-recording/1";

struct Manifest {
  std::string url;
  Organisation organisation;
  std::optional<std::string> sub_queue;  // null: the main queue
  std::string created_at;
  std::string tool;
};

std::string to_json(const Manifest& manifest);
Result<Manifest> parse_manifest(std::string_view text);

// Opens DIR for appending. A missing or empty DIR is created with `wanted` as its manifest; an
// existing recording must name the same url, organisation and sub-queue. The log is read, a torn
// last line is cut off (with a warning in `warnings`). Errors carry ShadowErrc::usage: an
// unwritable DIR, a non-empty DIR that is not a recording, a manifest mismatch, a corrupt log,
// a DIR in use by another recorder.
class Recording {
 public:
  static Result<std::unique_ptr<Recording>> open(const std::filesystem::path& dir,
                                                 const Manifest& wanted,
                                                 std::vector<std::string>& warnings);
  ~Recording();
  Recording(const Recording&) = delete;
  Recording& operator=(const Recording&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  const Manifest& manifest() const { return manifest_; }
  // Every committed line, as read when opened plus every line appended since.
  const std::vector<LogLine>& lines() const { return lines_; }
  std::int64_t next_n() const { return next_n_; }

  // Writes `body` to the next response file and fsyncs it, then appends `line` (n, file, bytes
  // and sha256 filled in here) to the log and fsyncs it. Returns the committed line. After a
  // failed append the recording refuses further appends (ShadowErrc::stopped).
  Result<LogLine> append(LogLine line, std::string_view body);

 private:
  Recording(std::filesystem::path dir, Manifest manifest, int log_fd);
  Result<void> read_log(std::vector<std::string>& warnings);

  std::filesystem::path dir_;
  Manifest manifest_;
  int log_fd_ = -1;
  std::int64_t log_size_ = 0;
  std::int64_t next_n_ = 1;
  bool broken_ = false;
  std::vector<LogLine> lines_;
};

}  // namespace bridge::shadow
