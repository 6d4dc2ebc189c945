#include "bridge/dfdg/options.h"

#include <fstream>
#include <string>

namespace bridge::dfdg {
namespace {

constexpr std::string_view kIdPlaceholder = "{indkaldelseId}";

Error invalid(std::string_view option, const std::string& problem) {
  return make_error(ErrorDomain::dfdg, static_cast<int>(DfdgErrc::invalid_options),
                    "dfdg option " + std::string(option) + ": " + problem);
}

bool has_control_character(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// libcurl would only say "could not load PEM client certificate" at the first request; checking
// here makes a wrong path a start-up error that names the option.
Result<void> check_readable(std::string_view option, const std::string& path) {
  if (path.empty()) return ok();
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalid(option, "cannot read \"" + path + "\"");
  return ok();
}

}  // namespace

Result<void> validate_options(const ClientOptions& o) {
  if (o.base_url.empty()) return invalid("base_url", "is empty");
  if (!starts_with_ignoring_case(o.base_url, "http://") &&
      !starts_with_ignoring_case(o.base_url, "https://")) {
    return invalid("base_url", "\"" + o.base_url + "\" must start with https:// or http://");
  }
  if (has_control_character(o.base_url)) {
    return invalid("base_url", "contains a control character");
  }
  if (o.indkaldelse_path.find(kIdPlaceholder) == std::string::npos) {
    return invalid("indkaldelse_path",
                   "\"" + o.indkaldelse_path + "\" has no " + std::string(kIdPlaceholder));
  }
  if (has_control_character(o.indkaldelse_path)) {
    return invalid("indkaldelse_path", "contains a control character");
  }
  // A header value with CR/LF would inject headers.
  if (has_control_character(o.bearer_token)) {
    return invalid("bearer_token", "contains a control character");
  }
  if (!o.client_key.empty() && o.client_certificate.empty()) {
    return invalid("client_key", "is set but client_certificate is not");
  }
  BRIDGE_TRY(check_readable("client_certificate", o.client_certificate));
  BRIDGE_TRY(check_readable("client_key", o.client_key));
  BRIDGE_TRY(check_readable("ca_file", o.ca_file));
  if (o.connect_timeout_ms <= 0) return invalid("connect_timeout_ms", "must be positive");
  if (o.request_timeout_ms <= 0) return invalid("request_timeout_ms", "must be positive");
  if (o.max_attempts < 1) return invalid("max_attempts", "must be at least 1");
  if (o.backoff_initial_ms < 0) return invalid("backoff_initial_ms", "must not be negative");
  if (o.backoff_max_ms < o.backoff_initial_ms) {
    return invalid("backoff_max_ms", "must not be less than backoff_initial_ms");
  }
  if (o.max_response_bytes <= 0) return invalid("max_response_bytes", "must be positive");
  return ok();
}

std::string escape_path_segment(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0f];
    }
  }
  return out;
}

std::string indkaldelse_url(const ClientOptions& options, std::string_view indkaldelse_id) {
  std::string base = options.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string path = options.indkaldelse_path;
  if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
  const std::string escaped = escape_path_segment(indkaldelse_id);
  for (auto at = path.find(kIdPlaceholder); at != std::string::npos;
       at = path.find(kIdPlaceholder, at + escaped.size())) {
    path.replace(at, kIdPlaceholder.size(), escaped);
  }
  return base + path;
}

}  // namespace bridge::dfdg
