#include "bridge/compare/sources.h"

#include "bridge/core/clock.h"
#include "bridge/core/hash.h"
#include "bridge/store/sqlite/sqlite_compare.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace bridge::compare {

namespace {

Error input_error(const std::string& what) {
  return make_error(ErrorDomain::compare, static_cast<int>(CompareErrc::input), what);
}

Result<std::string> read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return input_error(p.string() + ": cannot read");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Recorded {
  std::string file;
  std::string at;
  std::string sha256;
  int line = 0;
};

std::string text_member(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

bool successful(const nlohmann::json& line) {
  const auto status = line.find("http_status");
  const auto fault = line.find("fault");
  return status != line.end() && status->is_number_integer() && status->get<int>() == 200 &&
         (fault == line.end() || fault->is_null());
}

}  // namespace

Result<Side> read_recording(const std::string& dir) {
  namespace fs = std::filesystem;
  const fs::path root(dir);
  Side side;
  side.source = "recording " + dir;
  BRIDGE_TRY(std::string manifest_text, read_file(root / "recording.json"));
  nlohmann::json manifest = nlohmann::json::parse(manifest_text, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object()) {
    return input_error((root / "recording.json").string() + ": not a JSON object");
  }
  if (text_member(manifest, "format") != "wsrm-recording/1") {
    return input_error((root / "recording.json").string() + ": format '" +
                       text_member(manifest, "format") +
                       "' is not wsrm-recording/1 (is this a shadow recording?)");
  }
  if (const auto org = manifest.find("organisation"); org != manifest.end() && org->is_object()) {
    const auto type = org->find("type");
    side.organisation =
        (type != org->end() && type->is_number_integer() ? std::to_string(type->get<int>())
                                                         : std::string("?")) +
        "/" + text_member(*org, "code");
  }

  const fs::path log_path = root / "log.jsonl";
  BRIDGE_TRY(std::string log, read_file(log_path));
  // sequence → operation → the last successful Get… so far
  std::map<std::string, std::map<std::string, Recorded>> open;
  std::set<std::string> terminated;
  std::vector<std::pair<std::string, Recorded>> accepted;  // (operation, response) in order
  std::size_t start = 0;
  int line_no = 0;
  while (start < log.size()) {
    const auto nl = log.find('\n', start);
    const bool last = nl == std::string::npos;
    const std::string text = log.substr(start, last ? std::string::npos : nl - start);
    start = last ? log.size() : nl + 1;
    ++line_no;
    const std::string where = log_path.string() + ":" + std::to_string(line_no);
    if (text.empty()) continue;
    nlohmann::json line = nlohmann::json::parse(text, nullptr, false);
    if (line.is_discarded() || !line.is_object()) {
      if (last) {
        side.notes.push_back(where + ": torn last line skipped (the recorder stopped mid-write)");
        break;
      }
      return input_error(where + ": not a JSON object");
    }
    const std::string call = text_member(line, "call");
    const std::string sequence = text_member(line, "sequence");
    if (call.empty()) return input_error(where + ": no \"call\"");
    if (call.starts_with("Get")) {  // a WsrmMessageService Get… operation
      if (sequence.empty()) return input_error(where + ": a " + call + " without \"sequence\"");
      if (!successful(line) || terminated.count(sequence)) continue;
      Recorded r{text_member(line, "file"), text_member(line, "at"), text_member(line, "sha256"),
                 line_no};
      if (r.file.empty()) return input_error(where + ": a " + call + " without \"file\"");
      open[sequence][call] = std::move(r);
    } else if (call == "TerminateSequence") {
      if (!successful(line) || terminated.count(sequence)) continue;
      terminated.insert(sequence);
      const auto it = open.find(sequence);
      if (it == open.end()) continue;
      for (auto& [op, r] : it->second) accepted.emplace_back(op, std::move(r));
      open.erase(it);
    } else if (call != "CreateSequence" && call != "CloseSequence") {
      return input_error(where + ": unknown call '" + call + "'");
    }
  }
  for (const auto& [sequence, gets] : open) {
    side.notes.push_back("sequence " + sequence + ": " + std::to_string(gets.size()) +
                         " Get… response(s) never acknowledged (no TerminateSequence); their "
                         "messages come again later and are not counted here");
  }
  // Operations in the order of the log within a sequence (sorted by line).
  std::stable_sort(accepted.begin(), accepted.end(),
                   [](const auto& a, const auto& b) { return a.second.line < b.second.line; });
  for (const auto& [op, r] : accepted) {
    const fs::path file = root / r.file;
    BRIDGE_TRY(std::string body, read_file(file));
    if (!r.sha256.empty() && sha256_hex(body) != r.sha256) {
      return input_error(file.string() + ": content does not match the SHA-256 in " +
                         log_path.string() + ":" + std::to_string(r.line) +
                         " (changed after recording?)");
    }
    auto doc = std::make_shared<pugi::xml_document>();
    const pugi::xml_parse_result parsed = doc->load_buffer(body.data(), body.size());
    if (!parsed) {
      return input_error(file.string() + ": not well-formed XML at offset " +
                         std::to_string(parsed.offset) + ": " + parsed.description());
    }
    BRIDGE_TRY(auto items, items_of_response(op, doc, file.string(), r.at));
    for (auto& i : items) side.items.push_back(std::move(i));
  }
  return side;
}

Result<Side> read_store(const std::string& path, const std::string& consumer,
                        const std::string& sub_queue) {
  Side side;
  side.source = "store " + path + ", consumer " + consumer +
                (sub_queue.empty() ? std::string() : ", sub-queue " + sub_queue);
  auto rows = store::sqlite::read_queued_items(path, consumer, sub_queue);
  if (!rows) return input_error(rows.error().message);
  for (const auto& row : rows.value()) {
    BRIDGE_TRY(Item item,
               parse_item(row.operation, row.item_xml, path + " seq " + std::to_string(row.seq),
                          format_utc_ms(from_epoch_ms(row.queued_at_ms))));
    side.items.push_back(std::move(item));
  }
  if (side.items.empty()) {
    side.notes.push_back("the store holds no message for consumer '" + consumer + "'" +
                         (sub_queue.empty() ? std::string() : " in sub-queue " + sub_queue));
  }
  return side;
}

Result<void> keep_period(Side& side, const std::string& since, const std::string& until) {
  const auto bound = [](const std::string& text,
                        const char* name) -> Result<std::optional<std::int64_t>> {
    if (text.empty()) return std::optional<std::int64_t>{};
    const auto ms = epoch_ms_of(text);
    if (!ms) {
      return input_error(std::string(name) + " '" + text +
                         "' is not a dateTime with a time zone (e.g. 2026-11-23T00:00:00Z)");
    }
    return std::optional<std::int64_t>(*ms);
  };
  BRIDGE_TRY(const auto from, bound(since, "--since"));
  BRIDGE_TRY(const auto to, bound(until, "--until"));
  if (!from && !to) return ok();
  std::size_t dropped = 0;
  std::vector<Item> kept;
  for (auto& item : side.items) {
    const auto at = epoch_ms_of(item.at);
    const bool in = !at || ((!from || *at >= *from) && (!to || *at < *to));
    if (in) {
      kept.push_back(std::move(item));
    } else {
      ++dropped;
    }
  }
  side.items = std::move(kept);
  if (dropped) {
    side.notes.push_back(std::to_string(dropped) + " message(s) outside --since/--until left out");
  }
  return ok();
}

}  // namespace bridge::compare
