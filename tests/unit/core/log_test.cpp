// Tests bridge/core/log.cpp.
#include "bridge/core/log.h"

#include "tests/unit/support/temp_dir.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

BOOST_AUTO_TEST_SUITE(logging)

BOOST_AUTO_TEST_CASE(mask_cpr_masks_a_standalone_ten_digit_number) {
  BOOST_TEST(bridge::mask_cpr("1111111111") == "**********");
  BOOST_TEST(bridge::mask_cpr("cpr 1111111111 fetched") == "cpr ********** fetched");
  BOOST_TEST(bridge::mask_cpr("x-civilregistrationIdentifier: 0102031234;") ==
             "x-civilregistrationIdentifier: **********;");
}

BOOST_AUTO_TEST_CASE(mask_cpr_masks_the_ddmmyy_dash_nnnn_form_as_one_number) {
  BOOST_TEST(bridge::mask_cpr("010203-1234") == "**********");
  BOOST_TEST(bridge::mask_cpr("person 010203-1234.") == "person **********.");
}

BOOST_AUTO_TEST_CASE(mask_cpr_masks_every_number_in_a_line) {
  BOOST_TEST(bridge::mask_cpr("1111111111,2222222222 and 010203-1234") ==
             "**********,********** and **********");
}

BOOST_AUTO_TEST_CASE(mask_cpr_leaves_nine_and_eleven_digit_runs_alone) {
  BOOST_TEST(bridge::mask_cpr("123456789") == "123456789");
  BOOST_TEST(bridge::mask_cpr("12345678901") == "12345678901");
  BOOST_TEST(bridge::mask_cpr("id 123456789 and 12345678901") == "id 123456789 and 12345678901");
}

BOOST_AUTO_TEST_CASE(mask_cpr_does_not_mask_ten_digits_inside_a_longer_digit_run) {
  BOOST_TEST(bridge::mask_cpr("99991111111111") == "99991111111111");
  BOOST_TEST(bridge::mask_cpr("11111111119999") == "11111111119999");
  // Dashed form glued to more digits on either side is not a CPR number either.
  BOOST_TEST(bridge::mask_cpr("9010203-1234") == "9010203-1234");
  BOOST_TEST(bridge::mask_cpr("010203-12349") == "010203-12349");
  BOOST_TEST(bridge::mask_cpr("010203-123") == "010203-123");
}

BOOST_AUTO_TEST_CASE(mask_cpr_keeps_text_without_numbers_unchanged) {
  BOOST_TEST(bridge::mask_cpr("") == "");
  BOOST_TEST(bridge::mask_cpr("GetIndkaldelseVersion1 served 3 items") ==
             "GetIndkaldelseVersion1 served 3 items");
}

BOOST_AUTO_TEST_CASE(json_escape_escapes_quotes_backslashes_and_control_characters) {
  BOOST_TEST(bridge::json_escape(R"(say "hi")") == R"(say \"hi\")");
  BOOST_TEST(bridge::json_escape(R"(C:\path)") == R"(C:\\path)");
  BOOST_TEST(bridge::json_escape("a\nb\rc\td") == R"(a\nb\rc\td)");
  BOOST_TEST(bridge::json_escape(std::string("\x01\x1f", 2)) == R"(\u0001\u001f)");
  BOOST_TEST(bridge::json_escape(std::string("nul\0end", 7)) == R"(nul\u0000end)");
}

BOOST_AUTO_TEST_CASE(json_escape_passes_utf8_and_plain_text_through) {
  BOOST_TEST(bridge::json_escape("Mødested Ærø å") == "Mødested Ærø å");
  BOOST_TEST(bridge::json_escape("plain text 123") == "plain text 123");
}

BOOST_AUTO_TEST_CASE(json_escape_output_parses_back_to_the_input) {
  const std::string input = "line1\n\"quoted\" \\ tab\t ctrl\x02 Ø";
  const auto parsed = nlohmann::json::parse("\"" + bridge::json_escape(input) + "\"");
  BOOST_TEST(parsed.get<std::string>() == input);
}

// Captures what the process writes to stderr while it is alive.
class StderrCapture {
 public:
  explicit StderrCapture(const std::string& path) : path_(path) {
    std::fflush(stderr);
    saved_ = dup(STDERR_FILENO);
    FILE* f = std::fopen(path.c_str(), "w");
    BOOST_REQUIRE(f != nullptr);
    dup2(fileno(f), STDERR_FILENO);
    std::fclose(f);
  }
  ~StderrCapture() { restore(); }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;

  std::string finish() {
    restore();
    std::ifstream in(path_);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    dup2(saved_, STDERR_FILENO);
    close(saved_);
    saved_ = -1;
  }
  std::string path_;
  int saved_ = -1;
};

BOOST_AUTO_TEST_CASE(json_log_lines_are_valid_json_with_cpr_masked) {
  bridge::test::TempDir dir;
  auto previous = spdlog::default_logger();
  StderrCapture capture(dir.file("stderr.txt"));
  bridge::init_logging({"json", "info", true});
  spdlog::info("fetched \"indkaldelse\" for 0102031234 at C:\\x");
  spdlog::debug("below the level: 2222222222");
  const std::string out = capture.finish();
  spdlog::set_default_logger(previous);

  BOOST_TEST_INFO("stderr: " << out);
  BOOST_TEST(out.find("0102031234") == std::string::npos);
  BOOST_TEST(out.find("2222222222") == std::string::npos);  // debug is below info
  const auto line = nlohmann::json::parse(out.substr(0, out.find('\n')));
  BOOST_TEST(line.at("level").get<std::string>() == "info");
  BOOST_TEST(line.at("msg").get<std::string>() ==
             "fetched \"indkaldelse\" for ********** at C:\\x");
}

BOOST_AUTO_TEST_CASE(text_log_lines_keep_cpr_when_masking_is_off) {
  bridge::test::TempDir dir;
  auto previous = spdlog::default_logger();
  StderrCapture capture(dir.file("stderr.txt"));
  bridge::init_logging({"text", "debug", false});
  spdlog::debug("cpr 0102031234");
  const std::string out = capture.finish();
  spdlog::set_default_logger(previous);

  BOOST_TEST_INFO("stderr: " << out);
  BOOST_TEST(out.find("cpr 0102031234") != std::string::npos);
  BOOST_TEST(out.find("debug") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
