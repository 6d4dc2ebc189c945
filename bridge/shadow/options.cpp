#include "bridge/shadow/options.h"

#include <charconv>
#include <fstream>

namespace bridge::shadow {
namespace {

Error usage(std::string message) {
  return make_error(ErrorDomain::config, static_cast<int>(ShadowErrc::usage), std::move(message));
}

bool has_control_character(const std::string& text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

Result<void> readable_file(const char* option, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return usage(std::string(option) + " " + path + ": cannot be read");
  return ok();
}

}  // namespace

Result<Organisation> parse_organisation(const std::string& text) {
  const std::size_t slash = text.find('/');
  const std::string what = "--org '" + text + "': ";
  if (slash == std::string::npos) return usage(what + "expected TYPE/CODE, e.g. 8/44000");
  const std::string type = text.substr(0, slash);
  Organisation org;
  org.code = text.substr(slash + 1);
  const char* end = type.data() + type.size();
  const auto [ptr, ec] = std::from_chars(type.data(), end, org.type);
  if (type.empty() || ec != std::errc() || ptr != end || org.type < 1 || org.type > 100) {
    return usage(what + "TYPE must be an OrganisationTypeIdentifier from 1 to 100");
  }
  if (org.code.empty() || org.code.size() > 20 || has_control_character(org.code)) {
    return usage(what + "CODE must be an OrganisationCode of 1 to 20 characters");
  }
  return org;
}

Result<void> validate_options(ShadowOptions& o) {
  if (!starts_with(o.url, "http://") && !starts_with(o.url, "https://")) {
    return usage("--url '" + o.url + "': must be an http:// or https:// URL");
  }
  if (has_control_character(o.url) || o.url.find(' ') != std::string::npos) {
    return usage("--url: must not contain spaces or control characters");
  }
  while (o.url.size() > 8 && o.url.back() == '/') o.url.pop_back();
  BRIDGE_TRY(o.organisation, parse_organisation(o.org));
  if (o.main_queue && !o.sub_queue.empty()) {
    return usage("--sub-queue and --main-queue exclude each other");
  }
  if (!o.main_queue && o.sub_queue.empty()) {
    return usage(
        "--sub-queue NAME is required: without it shadow would take the production consumer's "
        "messages; give --main-queue to drain the main queue on purpose");
  }
  if (o.sub_queue.size() > 255 || has_control_character(o.sub_queue)) {
    return usage("--sub-queue: 1 to 255 characters without control characters");
  }
  if (o.out.empty()) return usage("--out DIR is required");
  if (!o.key.empty() && o.cert.empty()) return usage("--key needs --cert");
  if (!o.cert.empty()) BRIDGE_TRY(readable_file("--cert", o.cert));
  if (!o.key.empty()) BRIDGE_TRY(readable_file("--key", o.key));
  if (!o.ca.empty()) BRIDGE_TRY(readable_file("--ca", o.ca));
  if ((!o.cert.empty() || !o.ca.empty()) && !starts_with(o.url, "https://")) {
    return usage("--cert/--ca need an https:// --url");
  }
  if (o.follow && o.until_empty) return usage("--follow and --until-empty exclude each other");
  if (o.interval_s < 1 || o.interval_s > 86400) {
    return usage("--interval-s must be from 1 to 86400 seconds");
  }
  if (o.max_sequences < 0) return usage("--max-sequences must not be negative");
  if (o.timeout_s < 1 || o.timeout_s > 3600) {
    return usage("--timeout-s must be from 1 to 3600 seconds");
  }
  if (o.max_response_bytes < 1024) return usage("--max-response-bytes must be at least 1024");
  return ok();
}

std::optional<std::string> sub_queue_of(const ShadowOptions& options) {
  if (options.main_queue) return std::nullopt;
  return options.sub_queue;
}

}  // namespace bridge::shadow
