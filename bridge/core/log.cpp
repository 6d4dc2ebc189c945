#include "bridge/core/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <cctype>
#include <cstdio>
#include <memory>
#include <mutex>

namespace bridge {
namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// Rewrites each message (masking, JSON escaping) before the formatter sees it.
class RewritingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  RewritingSink(bool mask, bool json) : mask_(mask), json_(json) {
    inner_ = std::make_shared<spdlog::sinks::stderr_sink_st>();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string_view payload(msg.payload.data(), msg.payload.size());
    std::string text = mask_ ? mask_cpr(payload) : std::string(payload);
    if (json_) text = json_escape(text);
    spdlog::details::log_msg copy(msg);
    copy.payload = text;
    spdlog::memory_buf_t formatted;
    formatter_->format(copy, formatted);
    std::fwrite(formatted.data(), 1, formatted.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  bool mask_;
  bool json_;
  std::shared_ptr<spdlog::sinks::stderr_sink_st> inner_;
};

}  // namespace

std::string mask_cpr(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    if (is_digit(s[i]) && (i == 0 || !is_digit(s[i - 1]))) {
      std::size_t j = i;
      while (j < s.size() && is_digit(s[j])) ++j;
      std::size_t run = j - i;
      std::size_t end = j;
      // DDMMYY-NNNN
      if (run == 6 && j + 5 <= s.size() && s[j] == '-' && is_digit(s[j + 1]) &&
          is_digit(s[j + 2]) && is_digit(s[j + 3]) && is_digit(s[j + 4]) &&
          (j + 5 == s.size() || !is_digit(s[j + 5]))) {
        run = 10;
        end = j + 5;
      }
      if (run == 10) {
        out.append("**********");
      } else {
        out.append(s.substr(i, end - i));
      }
      i = end;
    } else {
      out.push_back(s[i++]);
    }
  }
  return out;
}

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

void init_logging(const LogOptions& options) {
  const bool json = options.format == "json";
  auto sink = std::make_shared<RewritingSink>(options.mask_cpr, json);
  auto logger = std::make_shared<spdlog::logger>("wsrm-bridge", sink);
  if (json) {
    logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","msg":"%v"})");
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %-5l %v");
  }
  logger->set_level(spdlog::level::from_str(options.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace bridge
