#include "bridge/soap/request_reader.h"

#include "soapH.h"

#include <boost/test/unit_test.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

namespace {

using bridge::soap::BufferedConnection;
using bridge::soap::ConnectionControl;
using bridge::soap::ReadLimits;
using bridge::soap::ReadOutcome;

const std::string kEnvelope =
    "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><x/></s:Body>"
    "</s:Envelope>";

std::string post(const std::string& body, const std::string& extra_headers = "") {
  return "POST /WsrmService.svc HTTP/1.1\r\nHost: t\r\nContent-Type: text/xml\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// A soap context on one end of a socket pair; the test writes the client's bytes to the other.
struct Pair {
  Pair() {
    BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    soap = soap_new();
    soap->socket = fds[0];
  }
  ~Pair() {
    soap->socket = SOAP_INVALID_SOCKET;
    soap_free(soap);
    ::close(fds[0]);
    if (fds[1] >= 0) ::close(fds[1]);
  }
  void send(const std::string& bytes) {
    BOOST_REQUIRE(::write(fds[1], bytes.data(), bytes.size()) ==
                  static_cast<ssize_t>(bytes.size()));
  }
  void hang_up() {
    ::close(fds[1]);
    fds[1] = -1;
  }
  // What gSOAP would read: the bytes the connection feeds it until the request ends.
  std::string fed() {
    std::string out;
    char buf[256];
    std::size_t n;
    while ((n = soap->frecv(soap, buf, sizeof buf)) > 0) out.append(buf, n);
    return out;
  }
  std::string received() {  // what the server sent to the client
    std::string out;
    char buf[256];
    ssize_t n;
    while ((n = ::recv(fds[1], buf, sizeof buf, MSG_DONTWAIT)) > 0) {
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }
  int fds[2] = {-1, -1};
  struct soap* soap = nullptr;
};

ReadLimits small_limits() {
  ReadLimits l;
  l.max_request_bytes = 4096;
  l.idle_timeout_ms = 300;
  l.transfer_timeout_ms = 300;
  l.max_header_bytes = 1024;
  return l;
}

std::atomic<bool> not_stopping{false};

}  // namespace

BOOST_AUTO_TEST_SUITE(request_reader)

BOOST_AUTO_TEST_CASE(a_complete_request_is_fed_to_gsoap_and_ends_exactly_at_its_length) {
  Pair p;
  BufferedConnection c(p.soap);
  ConnectionControl control(not_stopping);
  p.send(post(kEnvelope));
  BOOST_TEST((c.read_request(small_limits(), control) == ReadOutcome::request));
  BOOST_TEST(p.fed() == post(kEnvelope));
}

BOOST_AUTO_TEST_CASE(pipelined_requests_are_served_one_after_the_other) {
  Pair p;
  BufferedConnection c(p.soap);
  ConnectionControl control(not_stopping);
  const std::string second = post(kEnvelope, "X-Second: yes\r\n");
  p.send(post(kEnvelope) + second);
  BOOST_TEST((c.read_request(small_limits(), control) == ReadOutcome::request));
  BOOST_TEST(p.fed() == post(kEnvelope));
  c.finish_request();
  BOOST_TEST((c.read_request(small_limits(), control) == ReadOutcome::request));
  BOOST_TEST(p.fed() == second);
}

BOOST_AUTO_TEST_CASE(an_oversize_content_length_is_refused_before_the_body_is_read) {
  Pair p;
  BufferedConnection c(p.soap);
  ConnectionControl control(not_stopping);
  p.send("POST / HTTP/1.1\r\nContent-Length: 999999\r\n\r\n<s:Env");
  BOOST_TEST((c.read_request(small_limits(), control) == ReadOutcome::rejected));
  BOOST_TEST(c.error().find("4096") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(chunked_bodies_are_decoded_for_the_check_and_case_does_not_matter) {
  Pair p;
  BufferedConnection c(p.soap);
  ConnectionControl control(not_stopping);
  const std::string half1 = kEnvelope.substr(0, 20), half2 = kEnvelope.substr(20);
  char size1[16], size2[16];
  std::snprintf(size1, sizeof size1, "%zx", half1.size());
  std::snprintf(size2, sizeof size2, "%zx", half2.size());
  const std::string request = "POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n" +
                              std::string(size1) + "\r\n" + half1 + "\r\n" + size2 + "\r\n" +
                              half2 + "\r\n0\r\nX-Trailer: 1\r\n\r\n";
  p.send(request);
  BOOST_TEST((c.read_request(small_limits(), control) == ReadOutcome::request));
  BOOST_TEST(p.fed() == request);
}

BOOST_AUTO_TEST_CASE(endless_chunk_trailers_are_refused_at_the_size_limit) {
  Pair p;
  BufferedConnection c(p.soap);
  ConnectionControl control(not_stopping);
  std::thread writer([&] {
    std::string trailers;
    for (int i = 0; i < 400; ++i) trailers += "X-Pad: " + std::string(40, 'p') + "\r\n";
    p.send("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + trailers);
  });
  BOOST_TEST((c.read_request(small_limits(), control) == ReadOutcome::rejected));
  BOOST_TEST(c.error().find("exceeds") != std::string::npos);
  writer.join();
}

BOOST_AUTO_TEST_CASE(unsupported_transfer_codings_and_missing_lengths_are_refused) {
  for (const std::string& request :
       {std::string("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
        std::string("POST / HTTP/1.1\r\nHost: t\r\n\r\n"),
        std::string("POST / HTTP/1.1\r\nHost: t\r\n  folded\r\nContent-Length: 0\r\n\r\n")}) {
    Pair p;
    BufferedConnection c(p.soap);
    ConnectionControl control(not_stopping);
    p.send(request);
    BOOST_TEST((c.read_request(small_limits(), control) == ReadOutcome::rejected), request);
  }
}

BOOST_AUTO_TEST_CASE(header_lines_without_crlf_are_refused_not_waited_for) {
  Pair p;
  BufferedConnection c(p.soap);
  ConnectionControl control(not_stopping);
  p.send("POST / HTTP/1.1\nContent-Length: 0\n\n" + std::string(1100, ' '));
  BOOST_TEST((c.read_request(small_limits(), control) == ReadOutcome::rejected));
  BOOST_TEST(c.error().find("CRLF") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_stalled_sender_times_out_and_a_hang_up_between_requests_is_closed) {
  {
    Pair p;
    BufferedConnection c(p.soap);
    ConnectionControl control(not_stopping);
    p.send(post(kEnvelope).substr(0, 60));
    BOOST_TEST((c.read_request(small_limits(), control) == ReadOutcome::timed_out));
  }
  {
    Pair p;
    BufferedConnection c(p.soap);
    ConnectionControl control(not_stopping);
    p.hang_up();
    BOOST_TEST((c.read_request(small_limits(), control) == ReadOutcome::closed));
  }
}

BOOST_AUTO_TEST_CASE(expect_100_continue_is_answered_once_and_hidden_from_gsoap) {
  Pair p;
  BufferedConnection c(p.soap);
  ConnectionControl control(not_stopping);
  p.send("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: " +
         std::to_string(kEnvelope.size()) + "\r\n\r\n");
  std::thread late([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    p.send(kEnvelope);
  });
  BOOST_TEST((c.read_request(small_limits(), control) == ReadOutcome::request));
  late.join();
  BOOST_TEST(p.received() == "HTTP/1.1 100 Continue\r\n\r\n");
  BOOST_TEST(p.fed().find("Expect") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_idle_connection_notices_the_drain_but_a_waiting_request_is_still_read) {
  std::atomic<bool> stopping{true};
  {
    Pair p;
    BufferedConnection c(p.soap);
    ConnectionControl control(stopping);
    BOOST_TEST((c.read_request(small_limits(), control) == ReadOutcome::stopping));
  }
  {
    Pair p;
    BufferedConnection c(p.soap);
    ConnectionControl control(stopping);
    p.send(post(kEnvelope));
    BOOST_TEST((c.read_request(small_limits(), control) == ReadOutcome::request));
  }
}

BOOST_AUTO_TEST_CASE(check_soap_body_names_what_is_wrong) {
  using bridge::soap::check_soap_body;
  BOOST_TEST(check_soap_body(kEnvelope).empty());
  BOOST_TEST(check_soap_body("").find("no body") != std::string::npos);
  BOOST_TEST(check_soap_body("this is not xml").find("not well-formed") != std::string::npos);
  BOOST_TEST(check_soap_body("<foo/>").find("<foo>") != std::string::npos);
  BOOST_TEST(check_soap_body(kEnvelope + "<trailing/>").find("2 root") != std::string::npos);
  BOOST_TEST(check_soap_body("<s:Envelope xmlns:s=\"u\"><a></b></s:Envelope>").find("at byte") !=
             std::string::npos);
  BOOST_TEST(check_soap_body("<s:Envelope xmlns:s=\"u\">&bogus;</s:Envelope>").find("entity") !=
             std::string::npos);
  BOOST_TEST(check_soap_body("<s:Envelope xmlns:s=\"u\">&amp;&lt;&#65;</s:Envelope>").empty());
}

BOOST_AUTO_TEST_SUITE_END()
