// Tests bridge/app/config.cpp: every key, the defaults, and errors that name the file and line.
#define BOOST_TEST_MODULE unit_config
#include "bridge/app/config.h"

#include "tests/unit/support/result.h"
#include "tests/unit/support/temp_dir.h"

#include <boost/test/unit_test.hpp>

#include <cctype>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

namespace {

using bridge::ErrorDomain;
using bridge::app::ConfigErrc;
using bridge::app::parse_config;

const std::string kSource = "bridge-test.toml";

// A configuration that sets every key the reader knows, each to a non-default value.
const std::string kFullConfig = R"toml(# wsrm-bridge, every key set
[server]
host = "0.0.0.0"
port = 8443
workers = 16
max_pending_connections = 128
max_request_bytes = 2097152
recv_timeout_s = 5
send_timeout_s = 6
transfer_timeout_s = 60
keep_alive_max_requests = 50
service_endpoint = "https://bridge.example.dk/11/WsrmMessageService.svc"
wsdl_dir = "/srv/wsrm-bridge/wsdl"

[server.tls]
certificate = "/etc/wsrm-bridge/server.pem"
private_key = "/etc/wsrm-bridge/server.key"
ca = "/etc/wsrm-bridge/clients-ca.pem"
require_client_certificate = true

[admin]
enabled = false
host = "10.0.0.5"
port = 9191

[store]
sqlite_path = "/var/lib/wsrm-bridge/queue.db"

[queue]
max_messages_per_sequence = 250
sequence_timeout_s = 900
sweep_interval_s = 15
create_policy = "close-and-create"

[log]
format = "json"
level = "debug"
mask_cpr = false

[[consumer]]
id = "jc-kerteminde"
organisations = [ { type = 8, code = "44000" }, { type = 8, code = "44001" } ]
message_types = ["GetIndkaldelseVersion1", "GetIndkaldelseshaendelseVersion1"]
sub_queues = ["shadow"]
certificate_subjects = ["CN=Kerteminde Jobcenter,O=Kerteminde Kommune,C=DK"]
certificate_fingerprints = ["AB:CD:EF:01"]

[[consumer]]
id = "akasse-3f"
organisations = [ { type = 2, code = "3F" } ]
message_types = ["GetAkasseIndkaldelseVersion1"]
)toml";

// One consumer block, for error cases that need a valid consumer around them.
std::string consumer_block(const std::string& id, int type, const std::string& code) {
  return "[[consumer]]\nid = \"" + id + "\"\norganisations = [ { type = " + std::to_string(type) +
         ", code = \"" + code + "\" } ]\nmessage_types = [\"GetIndkaldelseVersion1\"]\n";
}

// Expects a config error of `errc` whose message names the source and `line`, and contains `what`.
void require_config_error(const std::string& text, ConfigErrc errc, int line,
                          const std::string& what) {
  BOOST_TEST_INFO("config:\n" << text);
  auto r = parse_config(text, kSource);
  BRIDGE_REQUIRE_ERROR(r, ErrorDomain::config, errc);
  const std::string& m = r.error().message;
  BOOST_TEST_INFO("message: " << m);
  BOOST_TEST(m.find(kSource + ":" + std::to_string(line) + ":") == 0u);
  BOOST_TEST(m.find(what) != std::string::npos);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(a_full_config_sets_every_key) {
  auto r = parse_config(kFullConfig, kSource);
  BRIDGE_REQUIRE_OK(r);
  const auto& c = r.value();
  BOOST_TEST(c.source == kSource);

  BOOST_TEST(c.server.listener.host == "0.0.0.0");
  BOOST_TEST(c.server.listener.port == 8443);
  BOOST_TEST(c.server.workers == 16);
  BOOST_TEST(c.server.max_pending_connections == 128);
  BOOST_TEST(c.server.max_request_bytes == 2097152);
  BOOST_TEST(c.server.recv_timeout_s == 5);
  BOOST_TEST(c.server.send_timeout_s == 6);
  BOOST_TEST(c.server.transfer_timeout_s == 60);
  BOOST_TEST(c.server.keep_alive_max_requests == 50);
  BOOST_TEST(c.server.service_endpoint == "https://bridge.example.dk/11/WsrmMessageService.svc");
  BOOST_TEST(c.server.wsdl_dir == "/srv/wsrm-bridge/wsdl");
  BOOST_REQUIRE(c.server.listener.tls.has_value());
  BOOST_TEST(c.server.listener.tls->certificate == "/etc/wsrm-bridge/server.pem");
  BOOST_TEST(c.server.listener.tls->private_key == "/etc/wsrm-bridge/server.key");
  BOOST_TEST(c.server.listener.tls->ca == "/etc/wsrm-bridge/clients-ca.pem");
  BOOST_TEST(c.server.listener.tls->require_client_certificate);

  BOOST_TEST(!c.admin.enabled);
  BOOST_TEST(c.admin.host == "10.0.0.5");
  BOOST_TEST(c.admin.port == 9191);

  BOOST_TEST(c.sqlite_path == "/var/lib/wsrm-bridge/queue.db");

  BOOST_TEST(c.queue.max_messages_per_sequence == 250);
  BOOST_TEST(c.queue.sequence_timeout.count() == 900);
  BOOST_TEST(c.sweep_interval_s == 15);
  BOOST_TEST((c.queue.create_policy == bridge::store::CreatePolicy::close_and_create));

  BOOST_TEST(c.log.format == "json");
  BOOST_TEST(c.log.level == "debug");
  BOOST_TEST(!c.log.mask_cpr);

  BOOST_REQUIRE_EQUAL(c.consumers.size(), 2u);
  const auto& jc = c.consumers[0];
  BOOST_TEST(jc.id == "jc-kerteminde");
  BOOST_REQUIRE_EQUAL(jc.organisations.size(), 2u);
  BOOST_TEST(jc.organisations[0].type == 8);
  BOOST_TEST(jc.organisations[0].code == "44000");
  BOOST_TEST(jc.organisations[1].code == "44001");
  BOOST_TEST(jc.message_types == std::vector<std::string>({"GetIndkaldelseVersion1",
                                                           "GetIndkaldelseshaendelseVersion1"}),
             boost::test_tools::per_element());
  BOOST_TEST(jc.sub_queues == std::vector<std::string>({"shadow"}),
             boost::test_tools::per_element());
  BOOST_TEST(jc.certificate_subjects ==
                 std::vector<std::string>({"CN=Kerteminde Jobcenter,O=Kerteminde Kommune,C=DK"}),
             boost::test_tools::per_element());
  BOOST_TEST(jc.certificate_fingerprints == std::vector<std::string>({"AB:CD:EF:01"}),
             boost::test_tools::per_element());
  const auto& ak = c.consumers[1];
  BOOST_TEST(ak.id == "akasse-3f");
  BOOST_REQUIRE_EQUAL(ak.organisations.size(), 1u);
  BOOST_TEST(ak.organisations[0].type == 2);
  BOOST_TEST(ak.organisations[0].code == "3F");
  BOOST_TEST(ak.message_types == std::vector<std::string>({"GetAkasseIndkaldelseVersion1"}),
             boost::test_tools::per_element());
  BOOST_TEST(ak.sub_queues.empty());
  BOOST_TEST(ak.certificate_subjects.empty());
  BOOST_TEST(ak.certificate_fingerprints.empty());
}

BOOST_AUTO_TEST_CASE(absent_keys_take_the_documented_defaults) {
  auto r = parse_config("# nothing set\n", kSource);
  BRIDGE_REQUIRE_OK(r);
  const auto& c = r.value();
  BOOST_TEST(c.server.listener.host == "127.0.0.1");
  BOOST_TEST(c.server.listener.port == 8080);
  BOOST_TEST(!c.server.listener.tls.has_value());
  BOOST_TEST(c.server.workers == 8);
  BOOST_TEST(c.server.max_pending_connections == 64);
  BOOST_TEST(c.server.max_request_bytes == 1048576);
  BOOST_TEST(c.server.recv_timeout_s == 10);
  BOOST_TEST(c.server.send_timeout_s == 10);
  BOOST_TEST(c.server.transfer_timeout_s == 30);
  BOOST_TEST(c.server.keep_alive_max_requests == 100);
  BOOST_TEST(c.server.service_endpoint == "http://127.0.0.1:8080/11/WsrmMessageService.svc");
  BOOST_TEST(c.server.wsdl_dir.empty());
  BOOST_TEST(c.admin.enabled);
  BOOST_TEST(c.admin.host == "127.0.0.1");
  BOOST_TEST(c.admin.port == 9090);
  BOOST_TEST(c.sqlite_path == "wsrm-bridge.db");
  BOOST_TEST(c.queue.max_messages_per_sequence == 500);
  BOOST_TEST(c.queue.sequence_timeout.count() == 30 * 60);
  BOOST_TEST((c.queue.create_policy == bridge::store::CreatePolicy::reuse));
  BOOST_TEST(c.sweep_interval_s == 30);
  BOOST_TEST(c.log.format == "text");
  BOOST_TEST(c.log.level == "info");
  BOOST_TEST(c.log.mask_cpr);
  BOOST_TEST(c.consumers.empty());
}

BOOST_AUTO_TEST_CASE(a_partly_filled_table_keeps_the_defaults_of_its_other_keys) {
  auto r = parse_config(
      "[queue]\nmax_messages_per_sequence = 3\n\n[server.tls]\n"
      "certificate = \"s.pem\"\nprivate_key = \"s.key\"\n"
      "require_client_certificate = false\n",
      kSource);
  BRIDGE_REQUIRE_OK(r);
  BOOST_TEST(r.value().queue.max_messages_per_sequence == 3);
  BOOST_TEST(r.value().queue.sequence_timeout.count() == 1800);
  BOOST_TEST((r.value().queue.create_policy == bridge::store::CreatePolicy::reuse));
  BOOST_TEST(r.value().server.listener.port == 8080);
  BOOST_REQUIRE(r.value().server.listener.tls.has_value());
  BOOST_TEST(!r.value().server.listener.tls->require_client_certificate);
  BOOST_TEST(r.value().server.listener.tls->ca.empty());
}

BOOST_AUTO_TEST_CASE(an_unknown_key_is_an_error_at_its_line) {
  require_config_error("[server]\nport = 8080\nprot = 8081\n", ConfigErrc::invalid, 3,
                       "unknown key 'prot'");
  require_config_error("# top\n\n\nsqlite_path = \"x.db\"\n", ConfigErrc::invalid, 4,
                       "unknown key 'sqlite_path'");
  require_config_error(consumer_block("jc-a", 8, "1") + "subqueues = [\"x\"]\n",
                       ConfigErrc::invalid, 5, "unknown key 'subqueues'");
}

BOOST_AUTO_TEST_CASE(a_value_of_the_wrong_type_is_an_error_at_its_line) {
  require_config_error("[server]\n\nport = \"8080\"\n", ConfigErrc::invalid, 3,
                       "port must be an integer");
  require_config_error("[admin]\nenabled = \"yes\"\n", ConfigErrc::invalid, 2,
                       "enabled must be true or false");
  require_config_error("[store]\nsqlite_path = 5\n", ConfigErrc::invalid, 2,
                       "sqlite_path must be a string");
  require_config_error("[queue]\nsequence_timeout_s = 1.5\n", ConfigErrc::invalid, 2,
                       "sequence_timeout_s must be an integer");
  require_config_error("[[consumer]]\nid = \"jc-a\"\nmessage_types = \"GetIndkaldelseVersion1\"\n",
                       ConfigErrc::invalid, 3, "message_types must be an array of strings");
}

BOOST_AUTO_TEST_CASE(a_table_key_of_the_wrong_type_is_an_error_at_its_line) {
  // A scalar where a table belongs must not be ignored: `tls = true` would silently serve plain
  // HTTP.
  require_config_error("[server]\nport = 8443\ntls = true\n", ConfigErrc::invalid, 3, "tls");
  require_config_error("\nqueue = 5\n", ConfigErrc::invalid, 2, "queue");
}

BOOST_AUTO_TEST_CASE(an_out_of_range_port_is_an_error_naming_the_range) {
  require_config_error("[server]\nport = 70000\n", ConfigErrc::invalid, 2,
                       "port = 70000 is outside 0..65535");
  require_config_error("[admin]\n\nport = -1\n", ConfigErrc::invalid, 3,
                       "port = -1 is outside 0..65535");
}

BOOST_AUTO_TEST_CASE(a_consumer_id_used_twice_is_an_error_at_the_second_consumer) {
  const std::string text =
      consumer_block("jc-a", 8, "44000") + "\n" + consumer_block("jc-a", 8, "45000");
  require_config_error(text, ConfigErrc::invalid, 6, "consumer id 'jc-a' is used twice");
}

BOOST_AUTO_TEST_CASE(an_organisation_claimed_by_two_consumers_is_an_error_naming_both) {
  const std::string text = consumer_block("jc-a", 8, "44000") + "\n" +
                           consumer_block("jc-b", 9, "1") + "\n" +
                           consumer_block("jc-c", 8, "44000");
  auto r = parse_config(text, kSource);
  BRIDGE_REQUIRE_ERROR(r, ErrorDomain::config, ConfigErrc::invalid);
  BOOST_TEST_INFO(r.error().message);
  BOOST_TEST(r.error().message.find(kSource + ":11:") == 0u);
  BOOST_TEST(r.error().message.find("8/44000") != std::string::npos);
  BOOST_TEST(r.error().message.find("'jc-a'") != std::string::npos);
  BOOST_TEST(r.error().message.find("'jc-c'") != std::string::npos);
  BOOST_TEST(r.error().message.find("'jc-b'") == std::string::npos);

  // The same code under another organisation type is another organisation.
  BRIDGE_REQUIRE_OK(parse_config(
      consumer_block("jc-a", 8, "44000") + consumer_block("jc-b", 2, "44000"), kSource));
}

BOOST_AUTO_TEST_CASE(a_bad_create_policy_is_an_error_at_its_line) {
  require_config_error("[queue]\nmax_messages_per_sequence = 10\ncreate_policy = \"close\"\n",
                       ConfigErrc::invalid, 3, "create_policy must be");
  require_config_error("[queue]\ncreate_policy = \"close_and_create\"\n", ConfigErrc::invalid, 2,
                       "\"close_and_create\"");
}

BOOST_AUTO_TEST_CASE(tls_without_private_key_is_an_error_at_the_tls_table) {
  require_config_error(
      "[server]\nport = 8443\n\n[server.tls]\ncertificate = \"s.pem\"\n"
      "ca = \"ca.pem\"\n",
      ConfigErrc::invalid, 4, "certificate and private_key are required");
}

BOOST_AUTO_TEST_CASE(tls_requiring_client_certificates_without_ca_is_an_error) {
  require_config_error("[server.tls]\ncertificate = \"s.pem\"\nprivate_key = \"s.key\"\n",
                       ConfigErrc::invalid, 1, "ca is required");
}

BOOST_AUTO_TEST_CASE(a_consumer_without_organisations_or_message_types_is_an_error) {
  require_config_error(
      "[[consumer]]\nid = \"jc-a\"\nmessage_types = [\"GetIndkaldelseVersion1\"]\n",
      ConfigErrc::invalid, 1, "organisations must list at least one");
  require_config_error(
      "[[consumer]]\nid = \"jc-a\"\norganisations = [ { type = 8, code = \"1\" } ]\n",
      ConfigErrc::invalid, 1, "message_types must name at least one");
  require_config_error(
      "[[consumer]]\nid = \"jc-a\"\nmessage_types = [\"GetIndkaldelseVersion1\"]\n"
      "organisations = [ { type = 101, code = \"1\" } ]\n",
      ConfigErrc::invalid, 4, "type = 101 is outside 1..100");
  require_config_error(
      "[[consumer]]\nid = \"jc-a\"\nmessage_types = [\"GetIndkaldelseVersion1\"]\n"
      "organisations = [ { type = 8, code = \"123456789012345678901\" } ]\n",
      ConfigErrc::invalid, 4, "code (1..20 characters)");
}

BOOST_AUTO_TEST_CASE(a_bad_log_format_or_level_is_an_error_at_its_line) {
  require_config_error("[log]\nformat = \"xml\"\n", ConfigErrc::invalid, 2,
                       "format must be \"text\" or \"json\"");
  require_config_error("[log]\nlevel = \"loud\"\n", ConfigErrc::invalid, 2, "level must be");
}

BOOST_AUTO_TEST_CASE(dfdg_pipeline_and_mappings_are_read_with_their_defaults) {
  auto none = parse_config("", kSource);
  BRIDGE_REQUIRE_OK(none);
  BOOST_TEST(!none.value().dfdg.configured);
  BOOST_TEST(none.value().pipeline.enabled);
  BOOST_TEST(none.value().pipeline.workers == 2);
  BOOST_TEST(none.value().mappings_dir == "mappings");
  BOOST_TEST(none.value().dfdg.client.indkaldelse_path == "/v1/Indkaldelse/{indkaldelseId}");

  auto r = parse_config(
      "[dfdg]\nbase_url = \"https://dfdg.example\"\n"
      "indkaldelse_path = \"/kontakt/v1/Indkaldelse/{indkaldelseId}\"\n"
      "bearer_token = \"abc\"\nverify_peer = false\nconnect_timeout_ms = 500\n"
      "request_timeout_ms = 7000\nmax_attempts = 3\nbackoff_initial_ms = 50\n"
      "backoff_max_ms = 900\nmax_response_bytes = 2048\n"
      "[pipeline]\nenabled = false\nworkers = 4\nmax_attempts = 5\nretry_initial_ms = 10\n"
      "retry_max_ms = 20\npoll_interval_ms = 30\n"
      "[mappings]\ndir = \"/srv/mappings\"\n",
      kSource);
  BRIDGE_REQUIRE_OK(r);
  const auto& c = r.value();
  BOOST_TEST(c.dfdg.configured);
  BOOST_TEST(c.dfdg.client.base_url == "https://dfdg.example");
  BOOST_TEST(c.dfdg.client.indkaldelse_path == "/kontakt/v1/Indkaldelse/{indkaldelseId}");
  BOOST_TEST(c.dfdg.client.bearer_token == "abc");
  BOOST_TEST(!c.dfdg.client.verify_peer);
  BOOST_TEST(c.dfdg.client.connect_timeout_ms == 500);
  BOOST_TEST(c.dfdg.client.request_timeout_ms == 7000);
  BOOST_TEST(c.dfdg.client.max_attempts == 3);
  BOOST_TEST(c.dfdg.client.backoff_initial_ms == 50);
  BOOST_TEST(c.dfdg.client.backoff_max_ms == 900);
  BOOST_TEST(c.dfdg.client.max_response_bytes == 2048);
  BOOST_TEST(!c.pipeline.enabled);
  BOOST_TEST(c.pipeline.workers == 4);
  BOOST_TEST(c.pipeline.max_attempts == 5);
  BOOST_TEST(c.pipeline.retry_initial_ms == 10);
  BOOST_TEST(c.pipeline.retry_max_ms == 20);
  BOOST_TEST(c.pipeline.poll_interval_ms == 30);
  BOOST_TEST(c.mappings_dir == "/srv/mappings");
}

BOOST_AUTO_TEST_CASE(dfdg_and_pipeline_errors_name_the_line_and_key) {
  require_config_error("[dfdg]\nbearer_token = \"x\"\n", ConfigErrc::invalid, 1,
                       "base_url is required");
  require_config_error("[dfdg]\nbase_url = \"http://x\"\nbase_ur = \"y\"\n", ConfigErrc::invalid, 3,
                       "base_ur");
  require_config_error("[dfdg]\nbase_url = \"http://x\"\nmax_attempts = 0\n", ConfigErrc::invalid,
                       3, "max_attempts = 0 is outside 1..100");
  require_config_error("[pipeline]\nworkers = 0\n", ConfigErrc::invalid, 2,
                       "workers = 0 is outside 1..64");
  require_config_error("[mappings]\ndirectory = \"m\"\n", ConfigErrc::invalid, 2, "directory");
}

BOOST_AUTO_TEST_CASE(a_toml_syntax_error_names_file_line_and_column) {
  auto r = parse_config("[server]\nport = 8080\nhost = \"unterminated\n", kSource);
  BRIDGE_REQUIRE_ERROR(r, ErrorDomain::config, ConfigErrc::syntax);
  BOOST_TEST_INFO(r.error().message);
  BOOST_TEST(r.error().message.find(kSource + ":3:") == 0u);
  // file:line:col, with a column number after the line.
  const std::string rest = r.error().message.substr((kSource + ":3:").size());
  BOOST_TEST(!rest.empty());
  BOOST_TEST(std::isdigit(static_cast<unsigned char>(rest[0])) != 0);
  BOOST_TEST(rest.find(": ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(load_config_resolves_relative_paths_against_the_file_directory) {
  bridge::test::TempDir dir;
  const std::string path = dir.file("bridge.toml");
  {
    std::ofstream out(path);
    out << "[store]\nsqlite_path = \"data/queue.db\"\n\n[server]\nwsdl_dir = \"/abs/wsdl\"\n"
           "[server.tls]\ncertificate = \"tls/server.pem\"\nprivate_key = \"tls/server.key\"\n"
           "ca = \"../ca.pem\"\n";
  }
  auto r = bridge::app::load_config(path);
  BRIDGE_REQUIRE_OK(r);
  BOOST_TEST(r.value().source == path);
  BOOST_TEST(r.value().sqlite_path == (dir.path() / "data/queue.db").string());
  BOOST_TEST(r.value().server.wsdl_dir == "/abs/wsdl");
  BOOST_REQUIRE(r.value().server.listener.tls.has_value());
  BOOST_TEST(r.value().server.listener.tls->certificate ==
             (dir.path() / "tls/server.pem").string());
  BOOST_TEST(r.value().server.listener.tls->ca == (dir.path().parent_path() / "ca.pem").string());
}

BOOST_AUTO_TEST_CASE(load_config_resolves_the_mappings_dir_and_dfdg_files_against_the_file) {
  bridge::test::TempDir dir;
  const std::string path = dir.file("bridge.toml");
  {
    std::ofstream out(path);
    out << "[mappings]\ndir = \"../mappings\"\n[dfdg]\nbase_url = \"https://d\"\n"
           "client_certificate = \"tls/c.pem\"\nclient_key = \"tls/c.key\"\nca = \"/etc/ca.pem\"\n";
  }
  auto r = bridge::app::load_config(path);
  BRIDGE_REQUIRE_OK(r);
  BOOST_TEST(r.value().mappings_dir == (dir.path().parent_path() / "mappings").string());
  BOOST_TEST(r.value().dfdg.client.client_certificate == (dir.path() / "tls/c.pem").string());
  BOOST_TEST(r.value().dfdg.client.client_key == (dir.path() / "tls/c.key").string());
  BOOST_TEST(r.value().dfdg.client.ca_file == "/etc/ca.pem");
}

BOOST_AUTO_TEST_CASE(load_config_of_a_missing_file_is_unreadable_naming_the_file) {
  bridge::test::TempDir dir;
  const std::string path = dir.file("missing.toml");
  auto r = bridge::app::load_config(path);
  BRIDGE_REQUIRE_ERROR(r, ErrorDomain::config, ConfigErrc::unreadable);
  BOOST_TEST(r.error().message.find(path) == 0u);
}

BOOST_AUTO_TEST_CASE(load_config_errors_name_the_file_path_and_line) {
  bridge::test::TempDir dir;
  const std::string path = dir.file("bad.toml");
  {
    std::ofstream out(path);
    out << "[admin]\n\nport = 99999\n";
  }
  auto r = bridge::app::load_config(path);
  BRIDGE_REQUIRE_ERROR(r, ErrorDomain::config, ConfigErrc::invalid);
  BOOST_TEST(r.error().message.find(path + ":3:") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
