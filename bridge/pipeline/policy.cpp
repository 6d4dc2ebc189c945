#include "bridge/pipeline/pipeline.h"

#include <toml++/toml.h>

#include <fstream>
#include <sstream>

namespace bridge::pipeline {

namespace {

Error policy_error(const std::string& where, const std::string& what) {
  return make_error(ErrorDomain::pipeline, static_cast<int>(PipelineErrc::policy),
                    where + ": " + what);
}

nlohmann::json to_json(const toml::node& node) {
  if (const auto* t = node.as_table()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : *t) out[std::string(k.str())] = to_json(v);
    return out;
  }
  if (const auto* a = node.as_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : *a) out.push_back(to_json(v));
    return out;
  }
  if (auto v = node.value_exact<std::int64_t>()) return *v;
  if (auto v = node.value_exact<double>()) return *v;
  if (auto v = node.value_exact<bool>()) return *v;
  if (auto v = node.value_exact<std::string>()) return *v;
  return nullptr;
}

}  // namespace

Result<Policy> Policy::parse(const std::string& text, const std::string& source) {
  toml::table doc;
  try {
    doc = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return policy_error(source + ":" + std::to_string(e.source().begin.line),
                        std::string("not valid TOML: ") + std::string(e.description()));
  }
  auto where = [&](const toml::node* n) {
    return source + ":" + std::to_string(n ? n->source().begin.line : 0);
  };
  for (const auto& [k, v] : doc) {
    if (k != "samtaletype" && k != "not_visible") {
      return policy_error(where(&v), "unknown key '" + std::string(k.str()) +
                                         "' (allowed: samtaletype, [not_visible])");
    }
  }
  Policy p;
  const auto samtaletype = doc["samtaletype"].value<std::string>();
  if (!samtaletype)
    return policy_error(where(nullptr), "samtaletype = \"/json/pointer\" is required");
  try {
    p.samtaletype = nlohmann::json::json_pointer(*samtaletype);
  } catch (const nlohmann::json::exception&) {
    return policy_error(where(doc.get("samtaletype")),
                        "samtaletype '" + *samtaletype + "' is not a JSON pointer");
  }
  if (const toml::table* nv = doc["not_visible"].as_table()) {
    for (const auto& [k, v] : *nv) {
      if (k != "delete_aendringstyper" && k != "delete_patch" && k != "otherwise") {
        return policy_error(where(&v), "[not_visible] unknown key '" + std::string(k.str()) +
                                           "' (allowed: delete_aendringstyper, delete_patch, "
                                           "otherwise)");
      }
    }
    if (const toml::array* a = nv->get_as<toml::array>("delete_aendringstyper")) {
      for (const auto& e : *a) {
        const auto i = e.value_exact<std::int64_t>();
        if (!i) return policy_error(where(&e), "delete_aendringstyper must hold integers");
        p.delete_aendringstyper.push_back(static_cast<int>(*i));
      }
    }
    if (const toml::node* patch = nv->get("delete_patch")) {
      if (!patch->is_table()) return policy_error(where(patch), "delete_patch must be a table");
      p.delete_patch = to_json(*patch);
    }
    if (const auto o = (*nv)["otherwise"].value<std::string>()) {
      if (*o != "skip" && *o != "quarantine") {
        return policy_error(where(nv->get("otherwise")),
                            "otherwise must be \"skip\" or \"quarantine\", not \"" + *o + "\"");
      }
      p.not_visible = *o;
    }
  }
  return p;
}

Result<Policy> Policy::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return policy_error(path, "cannot read the pipeline policy file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

}  // namespace bridge::pipeline
