#pragma once
// The small JSON-over-HTTP endpoints that run on the listener besides SOAP — the WSB webhook
// and the simulator's REST service — share their answer type, the bearer-token check and how
// an answer is written.

#include "bridge/soap/request_reader.h"

#include <string>

namespace bridge::soap {

struct JsonAnswer {
  int status = 200;
  std::string body;        // JSON
  bool challenge = false;  // 401: add WWW-Authenticate: Bearer
};

// "Authorization: Bearer <token>": the scheme name case-insensitive, the token compared in
// constant time (the comparison does not tell an attacker how much of the token was right).
bool bearer_token_matches(const std::string& header, const std::string& expected);

// Sends the answer (Content-Type: application/json; charset=utf-8). False when sending failed.
bool write_json_answer(BufferedConnection& connection, const JsonAnswer& answer, bool keep_alive,
                       int timeout_ms);

}  // namespace bridge::soap
