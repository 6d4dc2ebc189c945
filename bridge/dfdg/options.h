#pragma once
// Private to bridge/dfdg: checks ClientOptions once, at create(), and builds request URLs, so
// that the client itself never parses configuration.

#include "bridge/dfdg/client.h"

#include <string>
#include <string_view>

namespace bridge::dfdg {

// DfdgErrc::invalid_options with a message that names the option, e.g.
// "dfdg option indkaldelse_path: \"/v1/x\" has no {indkaldelseId}".
Result<void> validate_options(const ClientOptions& options);

// Percent-encodes everything except the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), so
// that an id can never leave its path segment ('/', '?', '#', '%' and spaces are all escaped).
std::string escape_path_segment(std::string_view text);

// base_url (trailing '/' dropped) + indkaldelse_path with every {indkaldelseId} replaced by the
// escaped id. Expects validated options.
std::string indkaldelse_url(const ClientOptions& options, std::string_view indkaldelse_id);

}  // namespace bridge::dfdg
