#include "bridge/soap/contract_files.h"

#include <pugixml.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace bridge::soap {
namespace fs = std::filesystem;

namespace {

Error contract_error(const std::string& message) { return make_error(ErrorDomain::io, 1, message); }

Result<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return contract_error(p.string() + ": cannot read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Local name of an element, whatever prefix the file uses.
std::string_view local(const pugi::xml_node& n) {
  std::string_view name = n.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view strip_query(std::string_view path, std::string_view& query) {
  const auto q = path.find('?');
  query = q == std::string_view::npos ? std::string_view() : path.substr(q + 1);
  return q == std::string_view::npos ? path : path.substr(0, q);
}

}  // namespace

Result<ContractFiles> ContractFiles::load(const std::string& dir) {
  ContractFiles c;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return contract_error(dir + ": the contract directory (server.wsdl_dir) does not exist");
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".wsdl") continue;
    BRIDGE_TRY(std::string body, read_file(entry.path()));
    const std::string name = entry.path().filename().string();
    pugi::xml_document doc;
    const auto parsed = doc.load_buffer(body.data(), body.size());
    if (!parsed) {
      return contract_error(entry.path().string() + ": offset " + std::to_string(parsed.offset) +
                            ": " + parsed.description());
    }
    for (auto node : doc.document_element().children()) {
      if (local(node) == "service") {
        c.wsdl_by_service_[node.attribute("name").value()] = name;
      } else if (local(node) == "binding") {
        for (auto op : node.children()) {
          if (local(op) != "operation") continue;
          for (auto child : op.children()) {
            if (local(child) == "operation" && child.attribute("soapAction")) {
              c.actions_[op.attribute("name").value()] = child.attribute("soapAction").value();
            }
          }
        }
      }
    }
    c.files_[name] = ServedFile{"text/xml; charset=utf-8", std::move(body)};
  }
  if (c.wsdl_by_service_.empty()) return contract_error(dir + ": no *.wsdl with a wsdl:service");
  const fs::path xsd_dir = fs::path(dir) / "xsd";
  if (fs::is_directory(xsd_dir, ec)) {
    for (const auto& entry : fs::directory_iterator(xsd_dir)) {
      if (entry.path().extension() != ".xsd") continue;
      BRIDGE_TRY(std::string body, read_file(entry.path()));
      c.files_["xsd/" + entry.path().filename().string()] =
          ServedFile{"text/xml; charset=utf-8", std::move(body)};
    }
  }
  return c;
}

const ServedFile* ContractFiles::find(std::string_view full_path) const {
  std::string_view query;
  std::string_view path = strip_query(full_path, query);
  const auto slash = path.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::string key;
  if (query == "wsdl" || query == "WSDL") {
    std::string_view service = base;
    if (service.size() > 4 && service.substr(service.size() - 4) == ".svc") {
      service.remove_suffix(4);
    }
    auto it = wsdl_by_service_.find(std::string(service));
    if (it == wsdl_by_service_.end()) return nullptr;
    key = it->second;
  } else if (!query.empty()) {
    return nullptr;
  } else if (path.size() >= 5 && path.substr(path.size() - 4) == ".xsd") {
    const auto dir_end = slash == std::string_view::npos ? 0 : slash;
    const auto dir_start = path.rfind('/', dir_end == 0 ? 0 : dir_end - 1);
    if (dir_start == std::string_view::npos ||
        path.substr(dir_start + 1, dir_end - dir_start - 1) != "xsd") {
      return nullptr;
    }
    key = "xsd/" + std::string(base);
  } else {
    key = std::string(base);
  }
  // Only names from the loaded set are served, so no path can reach outside wsdl/.
  auto it = files_.find(key);
  return it == files_.end() ? nullptr : &it->second;
}

std::optional<std::string> ContractFiles::soap_action(const std::string& operation) const {
  auto it = actions_.find(operation);
  if (it == actions_.end()) return std::nullopt;
  return it->second;
}

}  // namespace bridge::soap
