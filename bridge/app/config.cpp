#include "bridge/app/config.h"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace bridge::app {
namespace {

Error invalid(const std::string& where, const std::string& what) {
  return make_error(ErrorDomain::config, static_cast<int>(ConfigErrc::invalid),
                    where + ": " + what);
}

// Reads one TOML table, remembering which keys were used so that a misspelt key is an error
// instead of a silently ignored setting.
class TableReader {
 public:
  TableReader(const toml::table& t, std::string source, std::string name)
      : t_(t), source_(std::move(source)), name_(std::move(name)) {}

  std::string where(const toml::node* n) const {
    const auto& src = n ? n->source() : t_.source();
    return source_ + ":" + std::to_string(src.begin.line) + ": [" + name_ + "]";
  }

  Result<void> integer(const char* key, int& out, std::int64_t min, std::int64_t max) {
    std::int64_t v = out;
    BRIDGE_TRY(integer64(key, v, min, max));
    out = static_cast<int>(v);
    return ok();
  }

  Result<void> integer64(const char* key, std::int64_t& out, std::int64_t min, std::int64_t max) {
    used_.insert(key);
    const toml::node* n = t_.get(key);
    if (!n) return ok();
    auto v = n->value<std::int64_t>();
    if (!n->is_integer() || !v) return invalid(where(n), std::string(key) + " must be an integer");
    if (*v < min || *v > max) {
      return invalid(where(n), std::string(key) + " = " + std::to_string(*v) + " is outside " +
                                   std::to_string(min) + ".." + std::to_string(max));
    }
    out = *v;
    return ok();
  }

  Result<void> string(const char* key, std::string& out, bool non_empty = true) {
    used_.insert(key);
    const toml::node* n = t_.get(key);
    if (!n) return ok();
    if (!n->is_string()) return invalid(where(n), std::string(key) + " must be a string");
    out = *n->value<std::string>();
    if (non_empty && out.empty()) return invalid(where(n), std::string(key) + " must not be empty");
    return ok();
  }

  Result<void> boolean(const char* key, bool& out) {
    used_.insert(key);
    const toml::node* n = t_.get(key);
    if (!n) return ok();
    if (!n->is_boolean()) return invalid(where(n), std::string(key) + " must be true or false");
    out = *n->value<bool>();
    return ok();
  }

  Result<void> strings(const char* key, std::vector<std::string>& out) {
    used_.insert(key);
    const toml::node* n = t_.get(key);
    if (!n) return ok();
    const toml::array* a = n->as_array();
    if (!a) return invalid(where(n), std::string(key) + " must be an array of strings");
    out.clear();
    for (const auto& e : *a) {
      if (!e.is_string() || e.value<std::string>()->empty()) {
        return invalid(where(&e), std::string(key) + " must hold non-empty strings");
      }
      out.push_back(*e.value<std::string>());
    }
    return ok();
  }

  // The sub-table under key, or nullptr when absent. Anything else under that key is an error, so
  // that e.g. `tls = true` cannot silently leave TLS off.
  Result<const toml::table*> table(const char* key) {
    used_.insert(key);
    const toml::node* n = t_.get(key);
    if (!n) return static_cast<const toml::table*>(nullptr);
    if (!n->is_table()) return invalid(where(n), std::string(key) + " must be a table");
    return n->as_table();
  }

  const toml::node* node(const char* key) {
    used_.insert(key);
    return t_.get(key);
  }

  Result<void> no_unknown_keys() const {
    for (const auto& [k, v] : t_) {
      if (!used_.count(std::string(k.str()))) {
        return invalid(where(&v), "unknown key '" + std::string(k.str()) + "'");
      }
    }
    return ok();
  }

  const std::string& source() const { return source_; }

 private:
  const toml::table& t_;
  std::string source_;
  std::string name_;
  std::set<std::string, std::less<>> used_;
};

Result<TlsConfig> read_tls(const toml::table& t, const std::string& source,
                           const std::string& name) {
  TableReader r(t, source, name);
  TlsConfig tls;
  BRIDGE_TRY(r.string("certificate", tls.certificate));
  BRIDGE_TRY(r.string("private_key", tls.private_key));
  BRIDGE_TRY(r.string("ca", tls.ca));
  BRIDGE_TRY(r.boolean("require_client_certificate", tls.require_client_certificate));
  BRIDGE_TRY(r.no_unknown_keys());
  if (tls.certificate.empty() || tls.private_key.empty()) {
    return invalid(r.where(nullptr), "certificate and private_key are required for TLS");
  }
  if (tls.require_client_certificate && tls.ca.empty()) {
    return invalid(r.where(nullptr), "ca is required when require_client_certificate = true");
  }
  return tls;
}

Result<void> read_server(const toml::table& t, const std::string& source, ServerConfig& s) {
  TableReader r(t, source, "server");
  BRIDGE_TRY(r.string("host", s.listener.host));
  BRIDGE_TRY(r.integer("port", s.listener.port, 0, 65535));
  BRIDGE_TRY(r.integer("workers", s.workers, 1, 256));
  BRIDGE_TRY(r.integer("max_pending_connections", s.max_pending_connections, 1, 4096));
  BRIDGE_TRY(r.integer64("max_request_bytes", s.max_request_bytes, 1024, std::int64_t{1} << 30));
  BRIDGE_TRY(r.integer("recv_timeout_s", s.recv_timeout_s, 1, 3600));
  BRIDGE_TRY(r.integer("send_timeout_s", s.send_timeout_s, 1, 3600));
  BRIDGE_TRY(r.integer("transfer_timeout_s", s.transfer_timeout_s, 1, 3600));
  BRIDGE_TRY(r.integer("keep_alive_max_requests", s.keep_alive_max_requests, 1, 100000));
  BRIDGE_TRY(r.string("service_endpoint", s.service_endpoint));
  BRIDGE_TRY(r.string("wsdl_dir", s.wsdl_dir));
  BRIDGE_TRY(const toml::table* tls, r.table("tls"));
  if (tls) {
    BRIDGE_TRY(auto v, read_tls(*tls, source, "server.tls"));
    s.listener.tls = std::move(v);
  }
  return r.no_unknown_keys();
}

Result<std::vector<queue::Organisation>> read_organisations(TableReader& r, const char* key,
                                                            const std::string& source,
                                                            const std::string& owner) {
  std::vector<queue::Organisation> out;
  const toml::node* orgs = r.node(key);
  if (!orgs) return out;
  const toml::array* a = orgs->as_array();
  if (!a) return invalid(r.where(orgs), owner + ": " + key + " must be an array of { type, code }");
  for (const auto& e : *a) {
    const toml::table* ot = e.as_table();
    if (!ot) return invalid(r.where(&e), owner + ": each organisation is { type, code }");
    TableReader orr(*ot, source, owner + " organisation");
    queue::Organisation o;
    BRIDGE_TRY(orr.integer("type", o.type, 1, 100));
    BRIDGE_TRY(orr.string("code", o.code));
    BRIDGE_TRY(orr.no_unknown_keys());
    if (o.type == 0 || o.code.empty() || o.code.size() > 20) {
      return invalid(orr.where(&e), "type (1..100) and code (1..20 characters) are required");
    }
    out.push_back(o);
  }
  return out;
}

Result<WebhookConfig> read_webhook(const toml::table& t, const std::string& source) {
  TableReader r(t, source, "webhook");
  WebhookConfig w;
  BRIDGE_TRY(r.boolean("enabled", w.enabled));
  BRIDGE_TRY(r.string("host", w.listener.host));
  BRIDGE_TRY(r.integer("port", w.listener.port, 0, 65535));
  BRIDGE_TRY(r.integer("workers", w.workers, 1, 256));
  BRIDGE_TRY(r.integer64("max_request_bytes", w.max_request_bytes, 1024, std::int64_t{1} << 30));
  BRIDGE_TRY(r.integer("recv_timeout_s", w.recv_timeout_s, 1, 3600));
  BRIDGE_TRY(r.integer("transfer_timeout_s", w.transfer_timeout_s, 1, 3600));
  BRIDGE_TRY(r.string("bearer_token", w.bearer_token));
  BRIDGE_TRY(r.strings("certificate_subjects", w.certificate_subjects));
  BRIDGE_TRY(r.strings("certificate_fingerprints", w.certificate_fingerprints));
  BRIDGE_TRY(r.strings("miljoe_allowed", w.miljoe_allowed));
  BRIDGE_TRY(r.integer("entitetstype_id", w.entitetstype_id, 1, 1000000000));
  BRIDGE_TRY(auto recipients, read_organisations(r, "recipients", source, "[webhook]"));
  w.recipients = std::move(recipients);
  BRIDGE_TRY(const toml::table* tls_table, r.table("tls"));
  if (const toml::table* tls = tls_table) {
    BRIDGE_TRY(auto v, read_tls(*tls, source, "webhook.tls"));
    w.listener.tls = std::move(v);
  }
  BRIDGE_TRY(r.no_unknown_keys());
  return w;
}

Result<queue::Consumer> read_consumer(const toml::table& t, const std::string& source, int index) {
  TableReader r(t, source, "[consumer] #" + std::to_string(index + 1));
  queue::Consumer c;
  BRIDGE_TRY(r.string("id", c.id));
  if (c.id.empty()) return invalid(r.where(nullptr), "id is required");
  BRIDGE_TRY(r.strings("message_types", c.message_types));
  BRIDGE_TRY(r.strings("sub_queues", c.sub_queues));
  BRIDGE_TRY(r.strings("certificate_subjects", c.certificate_subjects));
  BRIDGE_TRY(r.strings("certificate_fingerprints", c.certificate_fingerprints));
  const toml::node* orgs = r.node("organisations");
  const toml::array* a = orgs ? orgs->as_array() : nullptr;
  if (!a || a->empty()) {
    return invalid(r.where(orgs), "'" + c.id +
                                      "': organisations must list at least one "
                                      "{ type = <1..100>, code = \"<1..20 chars>\" }");
  }
  for (const auto& e : *a) {
    const toml::table* ot = e.as_table();
    if (!ot) return invalid(r.where(&e), "'" + c.id + "': each organisation is { type, code }");
    TableReader orr(*ot, source, "[consumer] '" + c.id + "' organisation");
    queue::Organisation o;
    BRIDGE_TRY(orr.integer("type", o.type, 1, 100));
    BRIDGE_TRY(orr.string("code", o.code));
    BRIDGE_TRY(orr.no_unknown_keys());
    if (o.type == 0 || o.code.empty() || o.code.size() > 20) {
      return invalid(orr.where(&e), "type (1..100) and code (1..20 characters) are required");
    }
    c.organisations.push_back(o);
  }
  if (c.message_types.empty()) {
    return invalid(r.where(nullptr), "'" + c.id +
                                         "': message_types must name at least one Get… "
                                         "operation");
  }
  BRIDGE_TRY(r.no_unknown_keys());
  return c;
}

}  // namespace

Result<Config> parse_config(const std::string& text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return make_error(ErrorDomain::config, static_cast<int>(ConfigErrc::syntax),
                      source + ":" + std::to_string(e.source().begin.line) + ":" +
                          std::to_string(e.source().begin.column) + ": " +
                          std::string(e.description()));
  }
  Config c;
  c.source = source;
  TableReader r(root, source, "top level");
  BRIDGE_TRY(const toml::table* server_table, r.table("server"));
  if (const toml::table* t = server_table) BRIDGE_TRY(read_server(*t, source, c.server));
  BRIDGE_TRY(const toml::table* admin_table, r.table("admin"));
  if (const toml::table* t = admin_table) {
    TableReader a(*t, source, "admin");
    BRIDGE_TRY(a.boolean("enabled", c.admin.enabled));
    BRIDGE_TRY(a.string("host", c.admin.host));
    BRIDGE_TRY(a.integer("port", c.admin.port, 0, 65535));
    BRIDGE_TRY(a.no_unknown_keys());
  }
  BRIDGE_TRY(const toml::table* store_table, r.table("store"));
  if (const toml::table* t = store_table) {
    TableReader s(*t, source, "store");
    BRIDGE_TRY(s.string("sqlite_path", c.sqlite_path));
    BRIDGE_TRY(s.no_unknown_keys());
  }
  BRIDGE_TRY(const toml::table* queue_table, r.table("queue"));
  if (const toml::table* t = queue_table) {
    TableReader q(*t, source, "queue");
    BRIDGE_TRY(
        q.integer("max_messages_per_sequence", c.queue.max_messages_per_sequence, 1, 100000));
    std::int64_t timeout = c.queue.sequence_timeout.count();
    BRIDGE_TRY(q.integer64("sequence_timeout_s", timeout, 1, 7 * 24 * 3600));
    c.queue.sequence_timeout = std::chrono::seconds(timeout);
    BRIDGE_TRY(q.integer("sweep_interval_s", c.sweep_interval_s, 1, 3600));
    std::string policy = "reuse";
    BRIDGE_TRY(q.string("create_policy", policy));
    if (policy == "reuse") {
      c.queue.create_policy = store::CreatePolicy::reuse;
    } else if (policy == "close-and-create") {
      c.queue.create_policy = store::CreatePolicy::close_and_create;
    } else {
      return invalid(
          q.where(q.node("create_policy")),
          "create_policy must be \"reuse\" or \"close-and-create\", not \"" + policy + "\"");
    }
    BRIDGE_TRY(q.no_unknown_keys());
  }
  BRIDGE_TRY(const toml::table* log_table, r.table("log"));
  if (const toml::table* t = log_table) {
    TableReader l(*t, source, "log");
    BRIDGE_TRY(l.string("format", c.log.format));
    BRIDGE_TRY(l.string("level", c.log.level));
    BRIDGE_TRY(l.boolean("mask_cpr", c.log.mask_cpr));
    if (c.log.format != "text" && c.log.format != "json") {
      return invalid(l.where(l.node("format")), "format must be \"text\" or \"json\"");
    }
    static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error"};
    if (!levels.count(c.log.level)) {
      return invalid(l.where(l.node("level")), "level must be trace, debug, info, warn or error");
    }
    BRIDGE_TRY(l.no_unknown_keys());
  }
  BRIDGE_TRY(const toml::table* mappings_table, r.table("mappings"));
  if (const toml::table* t = mappings_table) {
    TableReader m(*t, source, "mappings");
    BRIDGE_TRY(m.string("dir", c.mappings_dir));
    BRIDGE_TRY(m.no_unknown_keys());
  }
  BRIDGE_TRY(const toml::table* dfdg_table, r.table("dfdg"));
  if (const toml::table* t = dfdg_table) {
    TableReader d(*t, source, "dfdg");
    auto& o = c.dfdg.client;
    BRIDGE_TRY(d.string("base_url", o.base_url));
    BRIDGE_TRY(d.string("indkaldelse_path", o.indkaldelse_path));
    BRIDGE_TRY(d.string("bearer_token", o.bearer_token));
    BRIDGE_TRY(d.string("client_certificate", o.client_certificate));
    BRIDGE_TRY(d.string("client_key", o.client_key));
    BRIDGE_TRY(d.string("ca", o.ca_file));
    BRIDGE_TRY(d.boolean("verify_peer", o.verify_peer));
    BRIDGE_TRY(d.integer("connect_timeout_ms", o.connect_timeout_ms, 1, 600000));
    BRIDGE_TRY(d.integer("request_timeout_ms", o.request_timeout_ms, 1, 600000));
    BRIDGE_TRY(d.integer("max_attempts", o.max_attempts, 1, 100));
    BRIDGE_TRY(d.integer("backoff_initial_ms", o.backoff_initial_ms, 0, 600000));
    BRIDGE_TRY(d.integer("backoff_max_ms", o.backoff_max_ms, 0, 3600000));
    BRIDGE_TRY(d.integer64("max_response_bytes", o.max_response_bytes, 1024, 1LL << 30));
    BRIDGE_TRY(d.no_unknown_keys());
    if (o.base_url.empty()) return invalid(d.where(nullptr), "base_url is required");
    c.dfdg.configured = true;
  }
  BRIDGE_TRY(const toml::table* pipeline_table, r.table("pipeline"));
  if (const toml::table* t = pipeline_table) {
    TableReader p(*t, source, "pipeline");
    auto& o = c.pipeline;
    BRIDGE_TRY(p.boolean("enabled", o.enabled));
    BRIDGE_TRY(p.integer("workers", o.workers, 1, 64));
    BRIDGE_TRY(p.integer("max_attempts", o.max_attempts, 1, 1000));
    BRIDGE_TRY(p.integer("retry_initial_ms", o.retry_initial_ms, 1, 3600000));
    BRIDGE_TRY(p.integer("retry_max_ms", o.retry_max_ms, 1, 24 * 3600000));
    BRIDGE_TRY(p.integer("poll_interval_ms", o.poll_interval_ms, 10, 60000));
    BRIDGE_TRY(p.no_unknown_keys());
  }
  BRIDGE_TRY(const toml::table* webhook_table, r.table("webhook"));
  if (const toml::table* t = webhook_table) {
    BRIDGE_TRY(auto w, read_webhook(*t, source));
    c.webhook = std::move(w);
  }
  if (const toml::node* n = r.node("consumer")) {
    const toml::array* a = n->as_array();
    if (!a) return invalid(r.where(n), "consumers are written as [[consumer]] tables");
    int i = 0;
    for (const auto& e : *a) {
      const toml::table* t = e.as_table();
      if (!t) return invalid(r.where(&e), "consumers are written as [[consumer]] tables");
      BRIDGE_TRY(auto consumer, read_consumer(*t, source, i++));
      for (const auto& other : c.consumers) {
        if (other.id == consumer.id) {
          return invalid(r.where(&e), "consumer id '" + consumer.id + "' is used twice");
        }
        for (const auto& o : consumer.organisations) {
          for (const auto& oo : other.organisations) {
            if (o == oo) {
              return invalid(r.where(&e), "organisation " + queue::to_string(o) +
                                              " belongs to both '" + other.id + "' and '" +
                                              consumer.id + "'");
            }
          }
        }
      }
      c.consumers.push_back(std::move(consumer));
    }
  }
  BRIDGE_TRY(r.no_unknown_keys());
  return c;
}

Result<Config> load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorDomain::config, static_cast<int>(ConfigErrc::unreadable),
                      path + ": cannot read the configuration file");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  BRIDGE_TRY(auto c, parse_config(ss.str(), path));
  // Relative paths in a configuration file mean: relative to that file, wherever it is run from.
  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  auto resolve = [&](std::string& p) {
    if (!p.empty() && p != ":memory:" && std::filesystem::path(p).is_relative()) {
      p = (base / p).lexically_normal().string();
    }
  };
  resolve(c.sqlite_path);
  resolve(c.server.wsdl_dir);
  resolve(c.mappings_dir);
  resolve(c.dfdg.client.client_certificate);
  resolve(c.dfdg.client.client_key);
  resolve(c.dfdg.client.ca_file);
  if (c.webhook.listener.tls) {
    resolve(c.webhook.listener.tls->certificate);
    resolve(c.webhook.listener.tls->private_key);
    resolve(c.webhook.listener.tls->ca);
  }
  if (c.server.listener.tls) {
    resolve(c.server.listener.tls->certificate);
    resolve(c.server.listener.tls->private_key);
    resolve(c.server.listener.tls->ca);
  }
  return c;
}

}  // namespace bridge::app
