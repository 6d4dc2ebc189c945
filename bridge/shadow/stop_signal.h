#pragma once
// How `wsrm-bridge shadow` learns to stop: SIGTERM/SIGINT are taken by one thread with sigwait
// (no handler code runs inside a libcurl call), which raises a StopSignal that the recorder
// checks between calls and that cuts a --follow pause short.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace bridge::shadow {

class StopSignal {
 public:
  void request_stop();
  bool stopped() const;
  // Waits up to `delay`; true when a stop was requested (before or during the wait).
  bool wait_for(std::chrono::milliseconds delay) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool stopped_ = false;
};

// Blocks SIGTERM and SIGINT in the calling thread (call it before any other thread starts, so
// they inherit the mask) and raises `stop` when one arrives, with a note on stderr.
class SignalWatcher {
 public:
  explicit SignalWatcher(StopSignal& stop);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  StopSignal& stop_;
  std::mutex mutex_;
  bool closing_ = false;
  std::thread thread_;
};

}  // namespace bridge::shadow
