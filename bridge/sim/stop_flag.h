#pragma once
// A stop request (SIGTERM/SIGINT) that sleeping and waiting threads notice at once.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace bridge::sim {

class StopFlag {
 public:
  void request() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    changed_.notify_all();
  }
  bool requested() const { return stopped_; }
  // Blocks until a stop is requested.
  void wait() const {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stopped_.load(); });
  }
  // Sleeps for `d`; false when a stop was requested before or during the sleep.
  bool sleep_for(std::chrono::milliseconds d) const {
    std::unique_lock lock(mutex_);
    return !changed_.wait_for(lock, d, [&] { return stopped_.load(); });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::atomic<bool> stopped_{false};
};

}  // namespace bridge::sim
