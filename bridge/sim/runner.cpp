#include "bridge/sim/runner.h"

#include "bridge/sim/wsb_builder.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <numeric>
#include <set>
#include <thread>

namespace bridge::sim {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// Groups the steps into lanes: steps about the same citizen (CPR) or the same indkaldelse (so a
// CPR change joins the old and the new number) run in one lane, in the given order.
std::vector<std::vector<std::size_t>> lanes_of(const std::vector<const Step*>& steps) {
  std::vector<std::size_t> parent(steps.size());
  std::iota(parent.begin(), parent.end(), 0);
  const auto root = [&](std::size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  std::map<std::string, std::size_t> first;  // "cpr:…" / "id:…" → first step
  for (std::size_t i = 0; i < steps.size(); ++i) {
    for (const std::string& key :
         {"cpr:" + steps[i]->cpr, "id:" + indkaldelse_key(steps[i]->indkaldelse)}) {
      const auto [it, fresh] = first.emplace(key, i);
      if (!fresh) parent[root(i)] = root(it->second);
    }
  }
  std::map<std::size_t, std::vector<std::size_t>> by_root;
  std::vector<std::size_t> order;  // roots by their first step
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto& lane = by_root[root(i)];
    if (lane.empty()) order.push_back(root(i));
    lane.push_back(i);
  }
  std::vector<std::vector<std::size_t>> out;
  for (std::size_t r : order) out.push_back(std::move(by_root[r]));
  return out;
}

// One lane, run by one worker thread with its own HTTP handle.
class LaneRunner {
 public:
  LaneRunner(ResourceStore& store, const RunOptions& options, const StopFlag& stop, LineWriter& log,
             HttpPoster& poster, std::atomic<std::int64_t>& retries)
      : store_(store),
        options_(options),
        stop_(stop),
        log_(log),
        poster_(poster),
        retries_(retries) {}

  void run(const std::vector<std::size_t>& lane, std::vector<StepRecord>& records) {
    for (std::size_t i : lane) run_step(records[i]);
    for (auto& [id, pending] : pending_) await(pending);
    pending_.clear();
  }

 private:
  struct Pending {
    StepRecord* record;
    std::int64_t target;  // the GET count that means "fetched once per fresh push"
    Clock::time_point since;
  };

  std::string cpr(const Step& s) const { return options_.unmask ? s.cpr : "**********"; }

  void await(Pending& p) {
    StepRecord& r = *p.record;
    const std::string& id = r.step->indkaldelse;
    const bool fetched = store_.wait_for_gets(id, p.target, options_.pace_timeout, stop_);
    r.fetched = std::min(r.fetches_awaited, r.fetches_awaited - (p.target - store_.gets(id)));
    r.pace_wait_ms = ms_since(p.since);
    if (fetched) {
      r.pace = PaceResult::fetched;
      log_.line("[" + r.step->label() + "] pace: the bridge fetched indkaldelse " + id + " " +
                std::to_string(r.fetches_awaited) + " time(s) within " +
                std::to_string(r.pace_wait_ms) + " ms");
    } else if (!stop_.requested()) {
      r.pace = PaceResult::timed_out;
      log_.line("[" + r.step->label() + "] pace: TIME-OUT: the bridge fetched indkaldelse " + id +
                " " + std::to_string(std::max<std::int64_t>(r.fetched, 0)) + " of " +
                std::to_string(r.fetches_awaited) + " time(s) within " +
                std::to_string(options_.pace_timeout.count()) + " ms; going on");
    }
  }

  void run_step(StepRecord& r) {
    const Step& s = *r.step;
    const std::string key = indkaldelse_key(s.indkaldelse);
    if (const auto it = pending_.find(key); it != pending_.end()) {
      await(it->second);
      pending_.erase(it);
    }
    if (stop_.requested()) {
      for (const Organisation& o : s.recipients) {
        r.pushes.push_back(PushRecord{
            o, push_url(options_.push.webhook, o), PushState::interrupted, 0, 0, "", {}});
      }
      return;
    }
    store_.apply(s);
    if (options_.before_push) options_.before_push(s);
    const std::int64_t gets_before = store_.gets(s.indkaldelse);
    const std::string state = s.resource.is_null() ? "none (404)"
                              : !s.visible         ? "hidden (404)"
                              : s.resource_given   ? "set"
                                                   : "unchanged";
    std::string head = "[" + s.label() + "] " + s.aendringstype_navn;
    if (s.body && s.body->contains("Indkaldelsehaendelsestype")) {
      head += " haendelsestype " + (*s.body)["Indkaldelsehaendelsestype"].dump();
    }
    log_.line(head + ", indkaldelse " + s.indkaldelse + ", cpr " + cpr(s) + ", BeskedIdentifier " +
              s.besked_identifier + "; REST state " + state + "; " +
              std::to_string(s.recipients.size()) + " recipient(s)");
    const std::string text = wsb_text(s);
    for (const Organisation& o : s.recipients) {
      r.pushes.push_back(push(s, o, text));
      const PushRecord& p = r.pushes.back();
      if (p.state == PushState::delivered && p.answer.fresh) ++r.fetches_awaited;
      if (p.state == PushState::failed) blocked_.insert(o.path());
    }
    if (options_.pace == Pace::fetch && s.await_fetch && r.fetches_awaited > 0) {
      pending_[key] = Pending{&r, gets_before + r.fetches_awaited, Clock::now()};
    }
  }

  PushRecord push(const Step& s, const Organisation& o, const std::string& text) {
    PushRecord p{o, push_url(options_.push.webhook, o), PushState::interrupted, 0, 0, "", {}};
    const std::string where = "[" + s.label() + "] POST " + p.url + " (" + o.key + ")";
    if (blocked_.count(o.path())) {
      p.state = PushState::held_back;
      log_.line(where + ": HELD BACK: an earlier message about this citizen to " + o.path() +
                " was given up on");
      return p;
    }
    while (true) {
      ++p.attempts;
      const HttpResult result = poster_.post(p.url, text);
      p.status = result.status;
      p.error = result.error;
      std::string what = result.status ? "HTTP " + std::to_string(result.status)
                                       : "no answer (" + result.error + ")";
      if (result.delivered()) {
        p.answer = read_acceptance(result);
        p.state = PushState::delivered;
        if (!p.answer.outcome.empty()) what += " " + p.answer.outcome;
        if (!p.answer.status.empty()) what += "/" + p.answer.status;
        log_.line(where + " attempt " + std::to_string(p.attempts) + ": " + what);
        return p;
      }
      if (options_.max_attempts > 0 && p.attempts >= options_.max_attempts) {
        p.state = PushState::failed;
        log_.line(where + " attempt " + std::to_string(p.attempts) + ": " + what +
                  "; GIVING UP after " + std::to_string(p.attempts) +
                  " attempt(s): later messages about this citizen to " + o.path() +
                  " are held back");
        return p;
      }
      const auto delay = retry_delay(p.attempts, options_.retry_cap);
      log_.line(where + " attempt " + std::to_string(p.attempts) + ": " + what + "; retry in " +
                std::to_string(delay.count()) + " ms");
      ++retries_;
      if (!stop_.sleep_for(delay)) {
        p.state = PushState::interrupted;
        return p;
      }
    }
  }

  ResourceStore& store_;
  const RunOptions& options_;
  const StopFlag& stop_;
  LineWriter& log_;
  HttpPoster& poster_;
  std::atomic<std::int64_t>& retries_;
  std::map<std::string, Pending> pending_;  // by lower-case indkaldelseId
  std::set<std::string> blocked_;           // recipients ("8/44000") given up on in this lane
};

}  // namespace

void LineWriter::line(const std::string& text) {
  std::lock_guard lock(mutex_);
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);  // a test or a tail -f sees each line as it happens
}

const char* to_string(PushState state) {
  switch (state) {
    case PushState::delivered:
      return "delivered";
    case PushState::failed:
      return "failed";
    case PushState::held_back:
      return "held_back";
    case PushState::interrupted:
      return "interrupted";
  }
  return "?";
}

const char* to_string(PaceResult result) {
  switch (result) {
    case PaceResult::not_awaited:
      return "not_awaited";
    case PaceResult::fetched:
      return "fetched";
    case PaceResult::timed_out:
      return "timed_out";
  }
  return "?";
}

bool RunReport::all_delivered() const {
  for (const StepRecord& s : steps) {
    for (const PushRecord& p : s.pushes) {
      if (p.state != PushState::delivered) return false;
    }
  }
  return !interrupted;
}

std::int64_t RunReport::count(PushState state) const {
  std::int64_t n = 0;
  for (const StepRecord& s : steps) {
    n += std::count_if(s.pushes.begin(), s.pushes.end(),
                       [&](const PushRecord& p) { return p.state == state; });
  }
  return n;
}

std::int64_t RunReport::pace_timeouts() const {
  return std::count_if(steps.begin(), steps.end(),
                       [](const StepRecord& s) { return s.pace == PaceResult::timed_out; });
}

Result<RunReport> run_steps(const std::vector<const Step*>& steps, ResourceStore& store,
                            const RunOptions& options, const StopFlag& stop, LineWriter& log) {
  RunReport report;
  report.steps.resize(steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) report.steps[i].step = steps[i];
  const auto lanes = lanes_of(steps);
  const int workers =
      static_cast<int>(std::min<std::size_t>(std::max(1, options.concurrency), lanes.size()));
  std::vector<std::unique_ptr<HttpPoster>> posters;
  for (int i = 0; i < workers; ++i) {
    BRIDGE_TRY(auto poster, HttpPoster::create(options.push));
    posters.push_back(std::move(poster));
  }
  std::atomic<std::size_t> next_lane{0};
  std::atomic<std::int64_t> retries{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      LaneRunner runner(store, options, stop, log, *posters[w], retries);
      for (std::size_t lane = next_lane++; lane < lanes.size(); lane = next_lane++) {
        runner.run(lanes[lane], report.steps);
      }
    });
  }
  for (auto& t : threads) t.join();
  report.retries = retries;
  report.interrupted = stop.requested();
  return report;
}

}  // namespace bridge::sim
