// `wsrm-bridge serve`: the SOAP service (WsrmService + WsrmMessageService v11) and the admin port.

#include "bridge/app/commands.h"
#include "bridge/app/config.h"
#include "bridge/app/runtime.h"
#include "bridge/core/log.h"
#include "bridge/pipeline/pipeline.h"
#include "bridge/soap/admin.h"
#include "bridge/soap/listener.h"
#include "bridge/soap/service_context.h"
#include "bridge/webhook/inbox_writer.h"
#include "bridge/webhook/webhook_server.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <random>
#include <thread>

namespace bridge::app {
namespace {

struct ServeOptions {
  std::string config_path;
  std::string port_file;  // written with "soap=<port>\nadmin=<port>\n" once listening
};

// Name, address and TLS of a configured listener; the caller sets workers and limits.
soap::ListenerOptions listener_options(const char* name, const ListenerConfig& l) {
  soap::ListenerOptions o;
  o.name = name;
  o.host = l.host;
  o.port = l.port;
  if (l.tls) {
    o.tls = soap::TlsOptions{l.tls->certificate, l.tls->private_key, l.tls->ca,
                             l.tls->require_client_certificate};
  }
  return o;
}

soap::ListenerOptions soap_listener_options(const Config& c) {
  soap::ListenerOptions o = listener_options("soap", c.server.listener);
  o.workers = c.server.workers;
  o.max_pending_connections = c.server.max_pending_connections;
  o.recv_timeout_s = c.server.recv_timeout_s;
  o.send_timeout_s = c.server.send_timeout_s;
  o.transfer_timeout_s = c.server.transfer_timeout_s;
  o.max_request_bytes = c.server.max_request_bytes;
  o.keep_alive_max_requests = c.server.keep_alive_max_requests;
  return o;
}

int run_serve(const ServeOptions& opts) {
  auto loaded = load_config(opts.config_path);
  if (!loaded) {
    std::fprintf(stderr, "wsrm-bridge serve: %s\n", loaded.error().message.c_str());
    return kExitUsage;
  }
  Config& config = loaded.value();
  init_logging({config.log.format, config.log.level, config.log.mask_cpr});

  // SIGTERM/SIGINT are taken by one thread with sigwait, so no handler runs on a worker.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto runtime = Runtime::open(config);
  if (!runtime) {
    spdlog::error("{}", runtime.error().message);
    return kExitUsage;
  }
  Runtime& rt = *runtime.value();
  auto contract = soap::ContractFiles::load(config.server.wsdl_dir);
  if (!contract) {
    spdlog::error("{}", contract.error().message);
    return kExitUsage;
  }
  soap::ServiceContext service{rt.queue(),
                               rt.consumers(),
                               contract.value(),
                               rt.metrics(),
                               config.server.service_endpoint,
                               config.server.listener.tls.has_value() &&
                                   config.server.listener.tls->require_client_certificate};
  auto soap_listener =
      soap::Listener::open(soap_listener_options(config), &service, &soap::serve_contract_get,
                           &soap::serve_soap_connection, rt.metrics());
  if (!soap_listener) {
    spdlog::error("{}", soap_listener.error().message);
    return kExitUsage;
  }
  soap::AdminContext admin_ctx{rt.store(), rt.metrics(), rt.clock()};
  std::unique_ptr<soap::Listener> admin;
  if (config.admin.enabled) {
    soap::ListenerOptions ao;
    ao.name = "admin";
    ao.host = config.admin.host;
    ao.port = config.admin.port;
    ao.workers = 2;
    auto opened = soap::Listener::open(ao, &admin_ctx, &soap::serve_admin_get,
                                       &soap::serve_get_only_connection, rt.metrics());
    if (!opened) {
      spdlog::error("{}", opened.error().message);
      return kExitUsage;
    }
    admin = std::move(opened.value());
  }
  // The WSB receiver, when configured: its own port, TLS context, workers and limits.
  std::unique_ptr<webhook::InboxWriter> writer;
  std::unique_ptr<webhook::WebhookContext> webhook_ctx;
  std::unique_ptr<soap::Listener> webhook_listener;
  if (config.webhook.enabled) {
    const auto& w = config.webhook;
    writer = std::make_unique<webhook::InboxWriter>(rt.inbox());
    soap::ReadLimits limits{w.max_request_bytes, w.recv_timeout_s * 1000,
                            w.transfer_timeout_s * 1000, 64 * 1024, false};
    webhook_ctx.reset(
        new webhook::WebhookContext{*writer, rt.wsb_rules(), w.bearer_token, w.certificate_subjects,
                                    w.certificate_fingerprints, rt.metrics(), rt.clock(), limits});
    soap::ListenerOptions wo = listener_options("webhook", w.listener);
    wo.workers = w.workers;
    wo.recv_timeout_s = w.recv_timeout_s;
    wo.transfer_timeout_s = w.transfer_timeout_s;
    wo.max_request_bytes = w.max_request_bytes;
    auto opened = soap::Listener::open(wo, webhook_ctx.get(), nullptr,
                                       &webhook::serve_webhook_connection, rt.metrics());
    if (!opened) {
      spdlog::error("{}", opened.error().message);
      return kExitUsage;
    }
    webhook_listener = std::move(opened.value());
    if (!w.listener.tls && w.bearer_token.empty()) {
      spdlog::warn(
          "webhook port runs WITHOUT authentication (no TLS client certificate, no "
          "bearer token): anyone who reaches it can deliver WSB messages");
    }
    spdlog::info("WSB webhook on {}://{}:{}/wsb/{{type}}/{{code}}, {} recipient organisation(s)",
                 w.listener.tls ? "https" : "http", w.listener.host, webhook_listener->port(),
                 rt.wsb_rules().recipients.size());
  }
  // The pipeline: enrich → route → map → queue, when DFDG's REST service is configured.
  std::shared_ptr<mapping::MappingSet> mappings;
  std::optional<routing::RoutingTable> routing_table;
  std::optional<pipeline::Policy> policy;
  std::unique_ptr<dfdg::CurlClient> dfdg_client;
  std::unique_ptr<pipeline::Pipeline> worker_pipeline;
  if (config.dfdg.configured && config.pipeline.enabled) {
    auto loaded_mappings =
        mapping::MappingSet::load_checked(config.mappings_dir, config.server.wsdl_dir + "/xsd");
    auto loaded_routing =
        routing::RoutingTable::load(config.mappings_dir + "/routing/indkaldelse.toml");
    auto loaded_policy = pipeline::Policy::load(config.mappings_dir + "/pipeline/policy.toml");
    auto client = dfdg::CurlClient::create(config.dfdg.client);
    for (const Error* e :
         {loaded_mappings ? nullptr : &loaded_mappings.error(),
          loaded_routing ? nullptr : &loaded_routing.error(),
          loaded_policy ? nullptr : &loaded_policy.error(), client ? nullptr : &client.error()}) {
      if (e) {
        spdlog::error("{}", e->message);
        return kExitUsage;
      }
    }
    mappings = std::move(loaded_mappings.value());
    routing_table.emplace(std::move(loaded_routing.value()));
    policy.emplace(std::move(loaded_policy.value()));
    dfdg_client = std::move(client.value());
    pipeline::Settings ps;
    ps.workers = config.pipeline.workers;
    ps.max_attempts = config.pipeline.max_attempts;
    ps.retry_initial = std::chrono::milliseconds(config.pipeline.retry_initial_ms);
    ps.retry_max = std::chrono::milliseconds(config.pipeline.retry_max_ms);
    ps.poll_interval = std::chrono::milliseconds(config.pipeline.poll_interval_ms);
    worker_pipeline = std::make_unique<pipeline::Pipeline>(
        pipeline::Deps{rt.inbox(), rt.queue(), rt.consumers(), *dfdg_client, *mappings,
                       *routing_table, *policy, rt.clock(), rt.metrics()},
        ps);
    spdlog::info("pipeline: {} worker(s), mappings {} ({} operations), DFDG {}", ps.workers,
                 config.mappings_dir, mappings->operations().size(), config.dfdg.client.base_url);
  } else if (config.webhook.enabled) {
    spdlog::warn(
        "no [dfdg] section (or [pipeline] enabled = false): accepted WSB messages are stored "
        "but not enriched, mapped or queued until the pipeline runs");
  }
  if (!service.tls) {
    spdlog::warn(
        "SOAP port runs WITHOUT client-certificate authentication: the "
        "ActiveOrganisationHeader alone identifies the consumer. Configure [server.tls] "
        "for production.");
  }
  spdlog::info(
      "wsrm-bridge serving SOAP on {}://{}:{} (WsrmService, WsrmMessageService v11), "
      "admin on http://{}:{}, store {}, {} consumer(s)",
      config.server.listener.tls ? "https" : "http", config.server.listener.host,
      soap_listener.value()->port(), config.admin.host, admin ? admin->port() : 0,
      config.sqlite_path, config.consumers.size());
  if (!opts.port_file.empty()) {
    std::ofstream pf(opts.port_file + ".tmp");
    pf << "soap=" << soap_listener.value()->port() << "\nadmin=" << (admin ? admin->port() : 0)
       << "\nwebhook=" << (webhook_listener ? webhook_listener->port() : 0) << "\n";
    pf.close();
    std::rename((opts.port_file + ".tmp").c_str(), opts.port_file.c_str());
  }

  std::thread soap_thread([&] { soap_listener.value()->run(); });
  std::thread admin_thread([&] {
    if (admin) admin->run();
  });
  std::thread webhook_thread([&] {
    if (webhook_listener) webhook_listener->run();
  });
  if (worker_pipeline) worker_pipeline->start();
  std::mutex sweep_mutex;
  std::condition_variable sweep_cv;
  bool stopping = false;
  std::thread sweeper([&] {
    std::unique_lock lock(sweep_mutex);
    while (!sweep_cv.wait_for(lock, std::chrono::seconds(config.sweep_interval_s),
                              [&] { return stopping; })) {
      auto n = rt.queue().expire_stale_sequences();
      if (!n) {
        spdlog::error("sequence expiry failed: {}", n.error().message);
      } else if (n.value() > 0) {
        spdlog::info("expired {} open sequence(s) past {} s; their messages are queued again",
                     n.value(), config.queue.sequence_timeout.count());
      }
    }
  });

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {}: draining in-flight requests, then exiting", sig);
  soap_listener.value()->stop();
  if (admin) admin->stop();
  if (webhook_listener) webhook_listener->stop();
  {
    std::lock_guard lock(sweep_mutex);
    stopping = true;
  }
  sweep_cv.notify_all();
  soap_thread.join();
  admin_thread.join();
  webhook_thread.join();  // every acknowledged message was committed before its 2xx
  sweeper.join();
  if (worker_pipeline) worker_pipeline->stop();  // the messages in progress finish their step
  spdlog::info("wsrm-bridge stopped cleanly");
  return kExitOk;
}

}  // namespace

Runner add_serve_command(CLI::App& app) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* sub = app.add_subcommand(
      "serve",
      "Serve WsrmService (CreateSequence/CloseSequence/TerminateSequence) and WsrmMessageService "
      "v11 (GetIndkaldelseVersion1, GetIndkaldelseshaendelseVersion1, "
      "GetAkasseIndkaldelseVersion1) over SOAP 1.1, with /healthz and /metrics on the admin port. "
      "Stops cleanly on SIGTERM.");
  sub->add_option("-c,--config", opts->config_path,
                  "Configuration file (TOML); see docs/configuration.md")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--port-file", opts->port_file,
                  "Write the bound ports here once listening (useful with port = 0)");
  return [opts] { return run_serve(*opts); };
}

}  // namespace bridge::app
