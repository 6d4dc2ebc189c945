#pragma once
// A real HTTP/1.1 server on 127.0.0.1, port 0, for the dfdg client tests: one thread with plain
// POSIX sockets that answers each connection with the next scripted reply (the last one repeats),
// closes it, and records every request it read. A `hang` reply reads the request and never
// answers, to make the client time out. Everything is released in the destructor.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace bridge::dfdg::test {

// Owns one file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

inline void fail(const std::string& what) {
  throw std::runtime_error("scripted server: " + what + ": " + std::strerror(errno));
}

// A TCP socket bound to 127.0.0.1 on a free port. Without listen() the kernel refuses
// connections to it, which is how the connection-refused test gets a port nobody can take.
inline Fd bound_loopback_socket(int& port) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) fail("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) fail("bind");
  socklen_t length = sizeof address;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    fail("getsockname");
  }
  port = ntohs(address.sin_port);
  return fd;
}

struct Reply {
  enum class Kind { answer, hang };
  Kind kind = Kind::answer;
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Length etc.

  static Reply answer(int status, std::string body = "") {
    Reply r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static Reply hang() {
    Reply r;
    r.kind = Kind::hang;
    return r;
  }
};

struct Request {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;

  // Header names compare without case (RFC 9110); how many times `name` was sent.
  int count(std::string_view name) const {
    int n = 0;
    for (const auto& [key, value] : headers) n += same_name(key, name) ? 1 : 0;
    return n;
  }
  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (same_name(key, name)) return value;
    }
    return std::nullopt;
  }
  static bool same_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
      if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
  }
};

class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<Reply> script) : script_(std::move(script)) {
    if (script_.empty()) throw std::invalid_argument("scripted server: empty script");
    listener_ = bound_loopback_socket(port_);
    if (::listen(listener_.get(), 64) != 0) fail("listen");
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) fail("pipe2");
    wake_read_ = Fd(pipe_fds[0]);
    wake_write_ = Fd(pipe_fds[1]);
    thread_ = std::thread([this] { run(); });
  }
  ~ScriptedServer() {
    const char byte = 'x';
    (void)!::write(wake_write_.get(), &byte, 1);
    thread_.join();
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Request> requests() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  // Waits until `fd` is readable; false when the server is stopping.
  bool wait_readable(int fd) const {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
    for (;;) {
      const int n = ::poll(fds, 2, -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 || (fds[1].revents & POLLIN) != 0) return false;
      return true;
    }
  }

  void run() {
    std::vector<Fd> hung;  // kept open, unanswered, until the server stops
    for (;;) {
      if (!wait_readable(listener_.get())) return;
      Fd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (connection.get() < 0) continue;
      std::optional<Request> request = read_request(connection.get());
      if (!request) continue;
      Reply reply;
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        requests_.push_back(*request);
        reply = script_[std::min(next_, script_.size() - 1)];
        ++next_;
      }
      if (reply.kind == Reply::Kind::hang) {
        hung.push_back(std::move(connection));
        continue;
      }
      send_reply(connection.get(), reply);
    }
  }

  std::optional<Request> read_request(int fd) const {
    std::string data;
    char buffer[4096];
    while (data.find("\r\n\r\n") == std::string::npos) {
      if (data.size() > 65536 || !wait_readable(fd)) return std::nullopt;
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return std::nullopt;
      data.append(buffer, static_cast<std::size_t>(n));
    }
    Request request;
    std::size_t line_end = data.find("\r\n");
    const std::string first = data.substr(0, line_end);
    const std::size_t space1 = first.find(' ');
    const std::size_t space2 = first.find(' ', space1 + 1);
    request.method = first.substr(0, space1);
    request.target = first.substr(space1 + 1, space2 - space1 - 1);
    for (std::size_t at = line_end + 2; at < data.size();) {
      line_end = data.find("\r\n", at);
      if (line_end == at || line_end == std::string::npos) break;
      const std::string line = data.substr(at, line_end - at);
      const std::size_t colon = line.find(':');
      std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      request.headers.emplace_back(line.substr(0, colon), value);
      at = line_end + 2;
    }
    return request;
  }

  static const char* reason(int status) {
    switch (status) {
      case 200:
        return "OK";
      case 204:
        return "No Content";
      case 302:
        return "Found";
      case 400:
        return "Bad Request";
      case 403:
        return "Forbidden";
      case 404:
        return "Not Found";
      case 429:
        return "Too Many Requests";
      case 503:
        return "Service Unavailable";
      default:
        return "Scripted";
    }
  }

  static void send_reply(int fd, const Reply& reply) {
    std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + reason(reply.status) +
                      "\r\nConnection: close\r\n";
    if (reply.status != 204) {
      out +=
          "Content-Type: application/json\r\nContent-Length: " + std::to_string(reply.body.size()) +
          "\r\n";
    }
    for (const auto& [name, value] : reply.headers) out += name + ": " + value + "\r\n";
    out += "\r\n";
    if (reply.status != 204) out += reply.body;
    // The client may abort mid-body (a body over its limit): a failed send just ends the reply.
    for (std::size_t sent = 0; sent < out.size();) {
      const ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
  }

  std::vector<Reply> script_;
  int port_ = 0;
  Fd listener_;
  Fd wake_read_;
  Fd wake_write_;
  mutable std::mutex mutex_;
  std::vector<Request> requests_;
  std::size_t next_ = 0;
  std::thread thread_;
};

}  // namespace bridge::dfdg::test
