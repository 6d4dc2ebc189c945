// Tests bridge/shadow/recording.cpp: the recording directory, its manifest, appending, resuming
// and the repair of a torn last log line.
#include "bridge/shadow/recording.h"

#include "bridge/core/hash.h"
#include "temp_dir.h"

#include <boost/test/unit_test.hpp>

#include <filesystem>

namespace {

namespace fs = std::filesystem;
using bridge::shadow::LogLine;
using bridge::shadow::Manifest;
using bridge::shadow::Recording;
using bridge::shadow::ShadowErrc;
using bridge::shadow::test::read_file;
using bridge::shadow::test::TempDir;
using bridge::shadow::test::write_file;

Manifest manifest(const std::string& sub_queue = "shadow") {
  Manifest m;
  m.url = "http://127.0.0.1:8080";
  m.organisation = {8, "44000"};
  m.sub_queue = sub_queue;
  m.created_at = "2026-11-28T04:00:00.123Z";
  m.tool = "wsrm-bridge test shadow";
  return m;
}

LogLine line(const char* call) {
  LogLine l;
  l.at = "2026-11-28T04:00:01.456Z";
  l.call = call;
  l.sequence = "1a25015d-46a1-48a2-9203-8929ff2f1094";
  l.http_status = 200;
  if (std::string(call) == "CreateSequence") l.inventory = bridge::shadow::Inventory{};
  return l;
}

std::unique_ptr<Recording> open_ok(const fs::path& dir, const Manifest& m,
                                   std::vector<std::string>* warnings_out = nullptr) {
  std::vector<std::string> warnings;
  auto r = Recording::open(dir, m, warnings);
  BOOST_REQUIRE_MESSAGE(r, (r ? std::string() : r.error().message));
  if (warnings_out) *warnings_out = warnings;
  return std::move(r).value();
}

std::string refusal(const fs::path& dir, const Manifest& m) {
  std::vector<std::string> warnings;
  auto r = Recording::open(dir, m, warnings);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().code == static_cast<int>(ShadowErrc::usage));
  return r.error().message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(recording)

BOOST_AUTO_TEST_CASE(new_directory_gets_the_manifest_an_empty_log_and_responses) {
  const TempDir tmp;
  const fs::path dir = tmp.path() / "rec";
  auto rec = open_ok(dir, manifest());
  BOOST_TEST(fs::is_directory(dir / "responses"));
  BOOST_TEST(read_file(dir / "log.jsonl").empty());
  BOOST_TEST(rec->next_n() == 1);
  const auto back = bridge::shadow::parse_manifest(read_file(dir / "recording.json"));
  BOOST_REQUIRE(back);
  BOOST_TEST(back.value().url == "http://127.0.0.1:8080");
  BOOST_TEST(*back.value().sub_queue == "shadow");
  BOOST_TEST(read_file(dir / "recording.json").find("\"format\": \"wsrm-recording/1\"") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(main_queue_manifest_has_null_sub_queue) {
  const TempDir tmp;
  Manifest m = manifest();
  m.sub_queue.reset();
  open_ok(tmp.path(), m);  // an existing empty directory is fine
  BOOST_TEST(read_file(tmp.path() / "recording.json").find("\"sub_queue\": null") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(append_writes_the_response_file_then_its_line) {
  const TempDir tmp;
  auto rec = open_ok(tmp.path(), manifest());
  const std::string body = "<s:Envelope>answer</s:Envelope>";
  const auto committed = rec->append(line("CreateSequence"), body);
  BOOST_REQUIRE(committed);
  BOOST_TEST(committed.value().n == 1);
  BOOST_TEST(committed.value().file == "responses/000001-CreateSequence.xml");
  BOOST_TEST(read_file(tmp.path() / committed.value().file) == body);
  BOOST_TEST(committed.value().bytes == static_cast<std::int64_t>(body.size()));
  BOOST_TEST(committed.value().sha256 == bridge::sha256_hex(body));
  BOOST_TEST(read_file(tmp.path() / "log.jsonl") ==
             bridge::shadow::to_json_line(committed.value()) + "\n");
  BOOST_TEST(rec->next_n() == 2);
}

BOOST_AUTO_TEST_CASE(reopening_reads_the_lines_and_n_continues) {
  const TempDir tmp;
  {
    auto rec = open_ok(tmp.path(), manifest());
    BOOST_REQUIRE(rec->append(line("CreateSequence"), "a"));
    BOOST_REQUIRE(rec->append(line("GetIndkaldelseVersion1"), "b"));
  }
  auto rec = open_ok(tmp.path(), manifest());
  BOOST_TEST(rec->lines().size() == 2u);
  BOOST_TEST(rec->lines()[1].call == "GetIndkaldelseVersion1");
  const auto third = rec->append(line("TerminateSequence"), "c");
  BOOST_REQUIRE(third);
  BOOST_TEST(third.value().n == 3);
}

BOOST_AUTO_TEST_CASE(orphan_response_file_from_a_crash_is_overwritten) {
  const TempDir tmp;
  auto rec = open_ok(tmp.path(), manifest());
  // A crash after the file was written, before its line: the file is garbage.
  write_file(tmp.path() / "responses/000001-CreateSequence.xml", "garbage that is longer");
  BOOST_REQUIRE(rec->append(line("CreateSequence"), "new"));
  BOOST_TEST(read_file(tmp.path() / "responses/000001-CreateSequence.xml") == "new");
}

BOOST_AUTO_TEST_CASE(torn_last_line_is_cut_off_with_a_warning) {
  const TempDir tmp;
  std::string good;
  {
    auto rec = open_ok(tmp.path(), manifest());
    BOOST_REQUIRE(rec->append(line("CreateSequence"), "a"));
    good = read_file(tmp.path() / "log.jsonl");
  }
  write_file(tmp.path() / "log.jsonl", good + "{\"n\":2,\"at\":\"2026-11-28T04:0");
  std::vector<std::string> warnings;
  auto rec = open_ok(tmp.path(), manifest(), &warnings);
  BOOST_REQUIRE(warnings.size() == 1u);
  BOOST_TEST(warnings[0].find("torn last line") != std::string::npos);
  BOOST_TEST(read_file(tmp.path() / "log.jsonl") == good);
  BOOST_TEST(rec->lines().size() == 1u);
  const auto next = rec->append(line("GetIndkaldelseVersion1"), "b");
  BOOST_REQUIRE(next);
  BOOST_TEST(next.value().n == 2);
  BOOST_TEST(read_file(tmp.path() / "log.jsonl") ==
             good + bridge::shadow::to_json_line(next.value()) + "\n");
}

BOOST_AUTO_TEST_CASE(corrupt_line_in_the_middle_is_refused) {
  const TempDir tmp;
  {
    auto rec = open_ok(tmp.path(), manifest());
    BOOST_REQUIRE(rec->append(line("CreateSequence"), "a"));
  }
  const std::string good = read_file(tmp.path() / "log.jsonl");
  write_file(tmp.path() / "log.jsonl", "not json\n" + good);
  BOOST_TEST(refusal(tmp.path(), manifest()).find("log.jsonl:1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(gap_in_n_is_refused) {
  const TempDir tmp;
  LogLine l = line("CreateSequence");
  l.n = 2;
  l.file = "responses/000002-CreateSequence.xml";
  open_ok(tmp.path(), manifest());
  write_file(tmp.path() / "log.jsonl", bridge::shadow::to_json_line(l) + "\n");
  BOOST_TEST(refusal(tmp.path(), manifest()).find("expected 1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(manifest_of_another_source_is_refused) {
  const TempDir tmp;
  open_ok(tmp.path(), manifest());
  const std::string message = refusal(tmp.path(), manifest("other"));
  BOOST_TEST(message.find("recording.json records") != std::string::npos);
  BOOST_TEST(message.find("sub-queue shadow") != std::string::npos);
  BOOST_TEST(message.find("sub-queue other") != std::string::npos);
  Manifest other_org = manifest();
  other_org.organisation.code = "44001";
  refusal(tmp.path(), other_org);
  Manifest other_url = manifest();
  other_url.url = "http://127.0.0.1:8081";
  refusal(tmp.path(), other_url);
  Manifest main_queue = manifest();
  main_queue.sub_queue.reset();
  refusal(tmp.path(), main_queue);
  // Another creation time or tool version is the same source.
  Manifest later = manifest();
  later.created_at = "2027-01-01T00:00:00.000Z";
  later.tool = "wsrm-bridge 9.9.9 shadow";
  open_ok(tmp.path(), later);
}

BOOST_AUTO_TEST_CASE(manifest_of_another_format_is_refused) {
  const TempDir tmp;
  write_file(tmp.path() / "recording.json",
             "{\"format\":\"wsrm-recording/2\",\"url\":\"http://127.0.0.1:8080\"}");
  BOOST_TEST(refusal(tmp.path(), manifest()).find("wsrm-recording/2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(non_empty_directory_without_manifest_is_refused) {
  const TempDir tmp;
  write_file(tmp.path() / "notes.txt", "mine");
  BOOST_TEST(refusal(tmp.path(), manifest()).find("has no recording.json") != std::string::npos);
  BOOST_TEST(!fs::exists(tmp.path() / "recording.json"));
}

BOOST_AUTO_TEST_CASE(directory_that_cannot_be_created_is_refused) {
  const TempDir tmp;
  write_file(tmp.path() / "file", "x");
  BOOST_TEST(refusal(tmp.path() / "file" / "rec", manifest()).find("cannot create") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(second_recorder_on_the_same_directory_is_refused) {
  const TempDir tmp;
  auto first = open_ok(tmp.path(), manifest());
  BOOST_TEST(refusal(tmp.path(), manifest()).find("in use") != std::string::npos);
  first.reset();
  open_ok(tmp.path(), manifest());
}

BOOST_AUTO_TEST_SUITE_END()
