#include "bridge/core/uuid.h"

#include "bridge/core/assert.h"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>

namespace bridge {
namespace {

std::string format_uuid(const std::array<std::uint8_t, 16>& b) {
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return std::string(out, 36);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

UuidGenerator::UuidGenerator() {
  std::random_device rd;
  std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
  engine_.seed(seq);
}

std::string UuidGenerator::next() {
  std::array<std::uint8_t, 16> b{};
  for (int i = 0; i < 2; ++i) {
    const std::uint64_t r = engine_();
    for (int j = 0; j < 8; ++j) b[i * 8 + j] = static_cast<std::uint8_t>(r >> (8 * j));
  }
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  return format_uuid(b);
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (hex_value(s[i]) < 0) {
      return false;
    }
  }
  return true;
}

std::string uuid_v5(std::string_view namespace_uuid, std::string_view name) {
  std::array<std::uint8_t, 16> ns{};
  std::size_t k = 0;
  for (std::size_t i = 0; i + 1 < namespace_uuid.size() && k < 16; ++i) {
    if (namespace_uuid[i] == '-') continue;
    const int hi = hex_value(namespace_uuid[i]);
    const int lo = hex_value(namespace_uuid[i + 1]);
    if (hi < 0 || lo < 0) break;
    ns[k++] = static_cast<std::uint8_t>(hi * 16 + lo);
    ++i;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  const bool hashed = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) == 1 &&
                      EVP_DigestUpdate(ctx.get(), ns.data(), ns.size()) == 1 &&
                      EVP_DigestUpdate(ctx.get(), name.data(), name.size()) == 1 &&
                      EVP_DigestFinal_ex(ctx.get(), digest.data(), &len) == 1;
  BRIDGE_ASSERT(hashed && len >= 16, "SHA-1 is always available in OpenSSL");
  std::array<std::uint8_t, 16> b{};
  for (std::size_t i = 0; i < 16; ++i) b[i] = digest[i];
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x50);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  return format_uuid(b);
}

}  // namespace bridge
