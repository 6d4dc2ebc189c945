#include "bridge/soap/json_http.h"

#include <openssl/crypto.h>

#include <cctype>

namespace bridge::soap {

namespace {

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

}  // namespace

bool bearer_token_matches(const std::string& header, const std::string& expected) {
  constexpr std::string_view scheme = "bearer ";
  if (header.size() != scheme.size() + expected.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return false;
  }
  return CRYPTO_memcmp(header.data() + scheme.size(), expected.data(), expected.size()) == 0;
}

bool write_json_answer(BufferedConnection& connection, const JsonAnswer& a, bool keep_alive,
                       int timeout_ms) {
  std::string head = "HTTP/1.1 " + std::to_string(a.status) + " " + reason_phrase(a.status) +
                     "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
                     std::to_string(a.body.size()) + "\r\n";
  if (a.challenge) head += "WWW-Authenticate: Bearer\r\n";
  head += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  head += a.body;
  return connection.send(head, timeout_ms);
}

}  // namespace bridge::soap
