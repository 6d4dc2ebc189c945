#include "bridge/core/hash.h"

#include "bridge/core/assert.h"

#include <openssl/evp.h>

namespace bridge {

std::string sha256_hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const bool ok =
      EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) == 1 && len == 32;
  BRIDGE_ASSERT(ok, "SHA-256 is always available in OpenSSL");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

}  // namespace bridge
