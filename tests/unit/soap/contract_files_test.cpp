#define BOOST_TEST_MODULE soap
#include "bridge/soap/contract_files.h"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <string>

namespace {

const std::string kWsdlDir = std::string(BRIDGE_SOURCE_DIR) + "/wsdl";

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const bridge::soap::ContractFiles& contract() {
  static const auto loaded = bridge::soap::ContractFiles::load(kWsdlDir);
  BOOST_TEST_REQUIRE(loaded.has_value());
  return loaded.value();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(contract_files)

BOOST_AUTO_TEST_CASE(wsdl_query_serves_each_service_verbatim) {
  const auto* ws = contract().find("/WsrmService.svc?wsdl");
  BOOST_TEST_REQUIRE(ws != nullptr);
  BOOST_TEST((ws->body == read(kWsdlDir + "/WsrmService.wsdl")));
  const auto* v11 = contract().find("/11/WsrmMessageService.svc?wsdl");
  BOOST_TEST_REQUIRE(v11 != nullptr);
  BOOST_TEST((v11->body == read(kWsdlDir + "/WsrmMessageService-v11.wsdl")));
  BOOST_TEST(v11->content_type.find("text/xml") == 0u);
}

BOOST_AUTO_TEST_CASE(xsd_is_served_at_the_relative_url_the_wsdl_imports_it_from) {
  const auto* a = contract().find("/xsd/WsrmOasis.xsd");
  const auto* b = contract().find("/11/xsd/WsrmOasis.xsd");
  BOOST_TEST_REQUIRE(a != nullptr);
  BOOST_TEST_REQUIRE(b != nullptr);
  BOOST_TEST((a->body == read(kWsdlDir + "/xsd/WsrmOasis.xsd")));
  BOOST_TEST(a == b);
}

BOOST_AUTO_TEST_CASE(paths_outside_the_loaded_files_are_not_served) {
  BOOST_TEST(contract().find("/xsd/../../CMakeLists.txt") == nullptr);
  BOOST_TEST(contract().find("/../typemap.dat") == nullptr);
  BOOST_TEST(contract().find("/Unknown.svc?wsdl") == nullptr);
  BOOST_TEST(contract().find("/WsrmService.svc?other") == nullptr);
  BOOST_TEST(contract().find("/etc/passwd") == nullptr);
}

BOOST_AUTO_TEST_CASE(soap_action_comes_from_the_wsdl_binding) {
  BOOST_TEST(contract().soap_action("CreateSequence").value_or("") ==
             "http://service.bm.dk/pjaktass/wsrm/3/IWsrmService/CreateSequence");
  BOOST_TEST(contract().soap_action("GetAkasseIndkaldelseVersion1").value_or("") ==
             "http://service.bm.dk/pjaktass/wsrm/11/IWsrmMessageService/"
             "GetAkasseIndkaldelseVersion1");
  BOOST_TEST(!contract().soap_action("NoSuchOperation").has_value());
}

BOOST_AUTO_TEST_CASE(missing_directory_is_an_error_naming_it) {
  const auto r = bridge::soap::ContractFiles::load("/nonexistent/wsdl");
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().message.find("/nonexistent/wsdl") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
