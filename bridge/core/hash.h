#pragma once
// SHA-256 of a byte string as lower-case hex (OpenSSL).

#include <string>
#include <string_view>

namespace bridge {

std::string sha256_hex(std::string_view bytes);

}  // namespace bridge
