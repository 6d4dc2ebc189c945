#include "bridge/shadow/stop_signal.h"

#include <pthread.h>

#include <csignal>
#include <cstdio>

namespace bridge::shadow {
namespace {

sigset_t stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  return signals;
}

}  // namespace

void StopSignal::request_stop() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
  }
  changed_.notify_all();
}

bool StopSignal::stopped() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return stopped_;
}

bool StopSignal::wait_for(std::chrono::milliseconds delay) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, delay, [this] { return stopped_; });
}

SignalWatcher::SignalWatcher(StopSignal& stop) : stop_(stop) {
  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  thread_ = std::thread([this] {
    const sigset_t waited = stop_signals();
    for (;;) {
      int signal = 0;
      if (sigwait(&waited, &signal) != 0) continue;
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (closing_) return;
      }
      std::fprintf(stderr, "wsrm-bridge shadow: %s received, stopping after the call in progress\n",
                   signal == SIGINT ? "SIGINT" : "SIGTERM");
      stop_.request_stop();
    }
  });
}

SignalWatcher::~SignalWatcher() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
  }
  // SIGTERM is blocked everywhere, so this one waits for the watcher's sigwait and ends it.
  pthread_kill(thread_.native_handle(), SIGTERM);
  thread_.join();
}

}  // namespace bridge::shadow
