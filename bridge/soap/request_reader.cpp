#include "bridge/soap/request_reader.h"

#include "soapH.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pugixml.hpp>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace bridge::soap {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool parse_size(std::string_view s, int base, std::int64_t& out) {
  if (s.empty() || s.size() > 15) return false;
  std::int64_t v = 0;
  for (char c : s) {
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) return false;
    v = v * base + d;
  }
  out = v;
  return true;
}

// An entity reference left in raw text that XML does not predefine (no DTDs in SOAP).
bool has_undefined_entity(const char* text) {
  for (const char* p = std::strchr(text, '&'); p; p = std::strchr(p + 1, '&')) {
    if (p[1] == '#') continue;
    static const char* known[] = {"lt;", "gt;", "amp;", "quot;", "apos;"};
    bool ok = false;
    for (const char* k : known) ok = ok || std::strncmp(p + 1, k, std::strlen(k)) == 0;
    if (!ok) return true;
  }
  return false;
}

bool undefined_entity_in(const pugi::xml_node& node) {
  for (auto a : node.attributes()) {
    if (has_undefined_entity(a.value())) return true;
  }
  for (auto child : node.children()) {
    if ((child.type() == pugi::node_pcdata && has_undefined_entity(child.value())) ||
        (child.type() == pugi::node_element && undefined_entity_in(child))) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string check_soap_body(std::string_view body) {
  if (trim(body).empty()) return "the request has no body; a SOAP 1.1 Envelope is expected";
  pugi::xml_document doc;
  // Without parse_escapes the raw entity references stay visible for the check below.
  const unsigned options = pugi::parse_default & ~pugi::parse_escapes;
  const auto r = doc.load_buffer(body.data(), body.size(), options);
  if (!r) {
    return "the request is not well-formed XML: " + std::string(r.description()) + " at byte " +
           std::to_string(r.offset);
  }
  int roots = 0;
  pugi::xml_node root;
  for (auto n : doc.children()) {
    if (n.type() == pugi::node_element) {
      ++roots;
      root = n;
    }
  }
  if (roots != 1)
    return "the request is not well-formed XML: it has " + std::to_string(roots) + " root elements";
  std::string_view name = root.name();
  const auto colon = name.find(':');
  if ((colon == std::string_view::npos ? name : name.substr(colon + 1)) != "Envelope") {
    return "the root element is <" + std::string(name) + ">; a SOAP 1.1 Envelope is expected";
  }
  if (undefined_entity_in(root)) return "the request uses an undefined entity reference";
  return "";
}

BufferedConnection::BufferedConnection(struct ::soap* soap)
    : soap_(soap), original_recv_(soap->frecv) {
  // soap->data[3] is a slot gSOAP leaves to extensions; none that this program loads uses it.
  soap_->data[3] = this;
  soap_->frecv = &BufferedConnection::feed;
}

BufferedConnection::~BufferedConnection() {
  soap_->frecv = original_recv_;
  soap_->data[3] = nullptr;
}

std::size_t BufferedConnection::feed(struct ::soap* soap, char* out, std::size_t n) {
  auto* self = static_cast<BufferedConnection*>(soap->data[3]);
  const std::size_t available = self->request_end_ - self->fed_;
  n = std::min(n, available);
  std::memcpy(out, self->buffer_.data() + self->fed_, n);
  self->fed_ += n;
  return n;  // 0 at the end of the request: for gSOAP the body ends exactly here
}

bool BufferedConnection::fill(std::int64_t deadline_ms) {
  // Straight from the socket (or the TLS session on it) with poll() for the time-outs: the
  // deadline is ours, whatever gSOAP's own receive path would do.
  char chunk[16384];
  while (true) {
    const std::int64_t remaining = deadline_ms - now_ms();
    if (remaining <= 0) return false;
    short wait_for = POLLIN;
    if (soap_->ssl) {
      ERR_clear_error();
      const int n = SSL_read(soap_->ssl, chunk, sizeof chunk);
      if (n > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
      }
      const int e = SSL_get_error(soap_->ssl, n);
      if (e == SSL_ERROR_WANT_WRITE) {
        wait_for = POLLOUT;
      } else if (e != SSL_ERROR_WANT_READ) {
        return false;  // closed or broken
      }
    } else {
      const ssize_t n = ::recv(soap_->socket, chunk, sizeof chunk, MSG_DONTWAIT);
      if (n > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
      }
      if (n == 0) return false;  // the peer closed
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
    }
    pollfd p{soap_->socket, wait_for, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(remaining, 1000)));
    if (r < 0 && errno != EINTR) return false;
  }
}

bool BufferedConnection::wait_readable(int idle_timeout_ms, ConnectionControl& control,
                                       bool& stopped) {
  if (!buffer_.empty()) return true;  // a pipelined request is already here
  if (soap_->ssl && SSL_pending(soap_->ssl) > 0) return true;
  const std::int64_t until = now_ms() + idle_timeout_ms;
  while (true) {
    const std::int64_t left = until - now_ms();
    if (left <= 0) return false;
    // Short slices, so that a drain is noticed within a fifth of a second; a request that has
    // already arrived is still served during a drain.
    const bool draining = control.stopping();
    pollfd p{soap_->socket, POLLIN, 0};
    const int r = ::poll(&p, 1, draining ? 0 : static_cast<int>(std::min<std::int64_t>(left, 200)));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
    if (draining) {
      stopped = true;
      return false;
    }
  }
}

ReadOutcome BufferedConnection::reject_size(std::string why) {
  too_large_ = true;
  return reject(std::move(why));
}

ReadOutcome BufferedConnection::reject(std::string why) {
  error_ = std::move(why);
  return ReadOutcome::rejected;
}

std::string HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return "";
}

bool HttpRequest::keep_alive() const {
  const std::string connection = header("Connection");
  if (version == "HTTP/1.0") return iequals(connection, "keep-alive");
  return !iequals(connection, "close");
}

ReadOutcome BufferedConnection::read_request(const ReadLimits& limits, ConnectionControl& control) {
  error_.clear();
  too_large_ = false;
  request_ = HttpRequest{};
  request_end_ = 0;
  fed_ = 0;
  bool stopped = false;
  if (!wait_readable(limits.idle_timeout_ms, control, stopped)) {
    return stopped ? ReadOutcome::stopping : ReadOutcome::closed;
  }
  const std::int64_t deadline = now_ms() + limits.transfer_timeout_ms;
  // Nothing is buffered beyond one maximal request (plus one read), whatever the client sends.
  const std::size_t cap = static_cast<std::size_t>(limits.max_request_bytes) +
                          static_cast<std::size_t>(limits.max_header_bytes);
  const std::string too_large_text = "the request exceeds the limit of " +
                                     std::to_string(limits.max_request_bytes) +
                                     " bytes (max_request_bytes)";
  // Reads until `done` holds. Returns request when it does, else why reading stopped.
  const auto read_until = [&](auto done) {
    while (!done()) {
      if (buffer_.size() > cap) return reject_size(too_large_text);
      if (!fill(deadline)) return buffer_.empty() ? ReadOutcome::closed : ReadOutcome::timed_out;
    }
    return ReadOutcome::request;
  };

  std::size_t header_end = std::string::npos;
  ReadOutcome r = read_until([&] {
    header_end = buffer_.find("\r\n\r\n");
    return header_end != std::string::npos ||
           buffer_.size() > static_cast<std::size_t>(limits.max_header_bytes);
  });
  if (r != ReadOutcome::request) return r;
  if (header_end == std::string::npos) {
    return reject(buffer_.find("\n\n") != std::string::npos
                      ? "the HTTP header lines must end with CRLF"
                      : "the HTTP header is larger than " +
                            std::to_string(limits.max_header_bytes) + " bytes");
  }
  header_end += 4;

  // Request line and the headers that decide where the request ends.
  const std::string_view head(buffer_.data(), header_end);
  const std::size_t first_eol = head.find("\r\n");
  const std::string_view request_line = head.substr(0, first_eol);
  const bool is_post = request_line.substr(0, 5) == "POST ";
  {
    const std::size_t sp1 = request_line.find(' ');
    const std::size_t sp2 = request_line.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 == sp1) return reject("malformed HTTP request line");
    request_.method = std::string(request_line.substr(0, sp1));
    request_.target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
    request_.version = std::string(request_line.substr(sp2 + 1));
  }
  std::int64_t content_length = -1;
  bool chunked = false;
  std::size_t expect_begin = 0, expect_end = 0;
  for (std::size_t pos = first_eol + 2; pos < header_end - 2;) {
    const std::size_t eol = head.find("\r\n", pos);
    const std::string_view line = head.substr(pos, eol - pos);
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
      return reject("folded HTTP header lines are not accepted");
    }
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      const std::string_view key = trim(line.substr(0, colon));
      const std::string_view value = trim(line.substr(colon + 1));
      request_.headers.emplace_back(key, value);
      if (iequals(key, "Content-Length")) {
        if (!parse_size(value, 10, content_length)) {
          return reject("invalid Content-Length '" + std::string(value) + "'");
        }
      } else if (iequals(key, "Transfer-Encoding")) {
        if (!iequals(value, "chunked")) {
          return reject("Transfer-Encoding '" + std::string(value) +
                        "' is not supported; send Content-Length or chunked");
        }
        chunked = true;
      } else if (iequals(key, "Expect") && iequals(value, "100-continue")) {
        expect_begin = pos;
        expect_end = eol + 2;
      }
    }
    pos = eol + 2;
  }
  if (is_post && !chunked && content_length < 0) {
    return reject("a POST needs Content-Length or chunked Transfer-Encoding");
  }
  if (!chunked && content_length < 0) content_length = 0;
  if (!chunked &&
      static_cast<std::int64_t>(header_end) + content_length > limits.max_request_bytes) {
    return reject_size("the request of " + std::to_string(header_end + content_length) +
                       " bytes exceeds the limit of " + std::to_string(limits.max_request_bytes) +
                       " bytes (max_request_bytes)");
  }
  if (expect_end > 0) {
    // We answer 100-continue ourselves, now; gSOAP must not answer it a second time later.
    buffer_.erase(expect_begin, expect_end - expect_begin);
    header_end -= expect_end - expect_begin;
    if (!send("HTTP/1.1 100 Continue\r\n\r\n", limits.transfer_timeout_ms)) {
      return ReadOutcome::timed_out;
    }
  }

  std::string decoded;  // the body without chunk framing, for the XML check
  if (!chunked) {
    request_end_ = header_end + static_cast<std::size_t>(content_length);
    r = read_until([&] { return buffer_.size() >= request_end_; });
    if (r != ReadOutcome::request) return r == ReadOutcome::closed ? ReadOutcome::timed_out : r;
  } else {
    std::size_t pos = header_end;
    std::size_t eol = std::string::npos;
    const auto line_end = [&] { return (eol = buffer_.find("\r\n", pos)) != std::string::npos; };
    while (true) {
      if ((r = read_until(line_end)) != ReadOutcome::request) return r;
      std::string_view size_text(buffer_.data() + pos, eol - pos);
      size_text = trim(size_text.substr(0, size_text.find(';')));
      std::int64_t size = 0;
      if (!parse_size(size_text, 16, size)) return reject("invalid chunk size in the request body");
      pos = eol + 2;
      if (size == 0) {
        while (true) {  // trailer lines, then an empty line
          if ((r = read_until(line_end)) != ReadOutcome::request) return r;
          const bool empty_line = eol == pos;
          pos = eol + 2;
          if (empty_line) break;
        }
        break;
      }
      if (static_cast<std::int64_t>(pos) + size > limits.max_request_bytes) {
        return reject_size(too_large_text);
      }
      const std::size_t chunk_end = pos + static_cast<std::size_t>(size);
      if ((r = read_until([&] { return buffer_.size() >= chunk_end + 2; })) !=
          ReadOutcome::request) {
        return r;
      }
      if (buffer_.compare(chunk_end, 2, "\r\n") != 0) {
        return reject("a chunk of the request body is not followed by CRLF");
      }
      decoded.append(buffer_, pos, static_cast<std::size_t>(size));
      pos = chunk_end + 2;
    }
    request_end_ = pos;
  }

  request_.body =
      chunked ? std::move(decoded) : buffer_.substr(header_end, request_end_ - header_end);
  if (is_post && limits.soap_body) {
    std::string why = check_soap_body(request_.body);
    if (!why.empty()) {
      finish_request();  // consumed whole, so nothing of it is left to discard
      return reject(std::move(why));
    }
  }
  return ReadOutcome::request;
}

bool BufferedConnection::send(std::string_view bytes, int timeout_ms) {
  const std::int64_t deadline = now_ms() + timeout_ms;
  while (!bytes.empty()) {
    const std::int64_t remaining = deadline - now_ms();
    if (remaining <= 0) return false;
    short wait_for = POLLOUT;
    if (soap_->ssl) {
      ERR_clear_error();
      const int n = SSL_write(soap_->ssl, bytes.data(), static_cast<int>(bytes.size()));
      if (n > 0) {
        bytes.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      const int e = SSL_get_error(soap_->ssl, n);
      if (e == SSL_ERROR_WANT_READ) {
        wait_for = POLLIN;
      } else if (e != SSL_ERROR_WANT_WRITE) {
        return false;
      }
    } else {
      const ssize_t n =
          ::send(soap_->socket, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) {
        bytes.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
    }
    pollfd p{soap_->socket, wait_for, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(remaining, 1000))) < 0 &&
        errno != EINTR) {
      return false;
    }
  }
  return true;
}

void BufferedConnection::finish_request() {
  buffer_.erase(0, request_end_);
  request_end_ = 0;
  fed_ = 0;
}

void BufferedConnection::linger_and_discard() {
  ::shutdown(soap_->socket, SHUT_WR);
  const std::int64_t deadline = now_ms() + 1000;
  std::size_t discarded = 0;
  while (discarded < (std::size_t{64} << 20) && fill(deadline)) {
    discarded += buffer_.size();
    buffer_.clear();
  }
}

}  // namespace bridge::soap
