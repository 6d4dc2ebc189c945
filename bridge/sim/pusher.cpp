#include "bridge/sim/pusher.h"

#include <curl/curl.h>

#include <algorithm>

namespace bridge::sim {
namespace {

constexpr std::size_t kMaxAnswerBytes = 64 * 1024;  // enough for any webhook answer

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::size_t collect(char* data, std::size_t size, std::size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  const std::size_t bytes = size * n;
  out->append(data, std::min(bytes, kMaxAnswerBytes - std::min(kMaxAnswerBytes, out->size())));
  return bytes;
}

Error curl_error(const std::string& message) {
  return make_error(ErrorDomain::io, static_cast<int>(SimErrc::curl_failed), message);
}

}  // namespace

struct HttpPoster::Handles {
  std::unique_ptr<CURL, CurlDeleter> curl;
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  std::string answer;
  char error[CURL_ERROR_SIZE] = {};
};

CurlGlobal::CurlGlobal() : ok_(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK) {}
CurlGlobal::~CurlGlobal() {
  if (ok_) curl_global_cleanup();
}

HttpPoster::HttpPoster(std::unique_ptr<Handles> handles) : handles_(std::move(handles)) {}
HttpPoster::~HttpPoster() = default;

Result<std::unique_ptr<HttpPoster>> HttpPoster::create(const PushOptions& o) {
  auto h = std::make_unique<Handles>();
  h->curl.reset(curl_easy_init());
  if (!h->curl) return curl_error("libcurl: cannot create a handle");
  curl_slist* list = nullptr;
  const auto add = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next) list = next;
    return next != nullptr;
  };
  // "Expect:" switches off 100-continue, so each push is one round trip like DFDG's.
  bool added = add("Content-Type: application/json") && add("Expect:");
  if (!o.token.empty()) added = added && add("Authorization: Bearer " + o.token);
  h->headers.reset(list);
  if (!added) return curl_error("libcurl: out of memory for the request headers");

  CURL* c = h->curl.get();
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers.get());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // several lanes post from their own threads
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout_ms));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.timeout_ms));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &h->answer);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->error);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!o.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, o.ca_file.c_str());
  if (!o.client_certificate.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLCERT, o.client_certificate.c_str());
  }
  if (!o.client_key.empty()) curl_easy_setopt(c, CURLOPT_SSLKEY, o.client_key.c_str());
  return std::unique_ptr<HttpPoster>(new HttpPoster(std::move(h)));
}

HttpResult HttpPoster::post(const std::string& url, const std::string& body) {
  CURL* c = handles_->curl.get();
  handles_->answer.clear();
  handles_->error[0] = '\0';
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  HttpResult r;
  const CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    r.error = handles_->error[0] ? handles_->error : curl_easy_strerror(code);
    return r;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  r.body = handles_->answer;
  return r;
}

std::string push_url(const std::string& webhook, const Organisation& recipient) {
  std::string base = webhook;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/wsb/" + recipient.path();
}

std::chrono::milliseconds retry_delay(int retry, std::chrono::milliseconds cap) {
  // 2^retry − 1 seconds; past 2^40 s any cap is smaller, and the shift stays defined.
  const int n = std::clamp(retry, 1, 40);
  const std::chrono::milliseconds full(((std::int64_t{1} << n) - 1) * 1000);
  return std::min(cap, full);
}

Acceptance read_acceptance(const HttpResult& result) {
  Acceptance a;
  if (!result.delivered()) return a;
  const Json answer = Json::parse(result.body, nullptr, false);
  if (answer.is_object()) {
    if (answer.contains("outcome") && answer["outcome"].is_string()) {
      a.outcome = answer["outcome"].get<std::string>();
    }
    if (answer.contains("status") && answer["status"].is_string()) {
      a.status = answer["status"].get<std::string>();
    }
  }
  a.fresh =
      (a.outcome.empty() || a.outcome == "stored") && (a.status.empty() || a.status == "accepted");
  return a;
}

}  // namespace bridge::sim
