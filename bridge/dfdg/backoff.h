#pragma once
// Private to bridge/dfdg: exponential back-off with full jitter. Before retry n (0 for the first
// retry) the wait is uniform in [0, min(max, initial * 2^n)] milliseconds, so that many bridges
// retrying after one DFDG outage spread out instead of arriving together.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>

namespace bridge::dfdg {

class Backoff {
 public:
  // seed 0: seeded from std::random_device.
  Backoff(int initial_ms, int max_ms, std::uint64_t seed);

  // The upper bound of the wait before retry n (n >= 0): initial * 2^n, capped at max.
  std::chrono::milliseconds ceiling(int retry) const;
  // A wait drawn uniformly from [0, ceiling(retry)]. Thread-safe.
  std::chrono::milliseconds delay(int retry);

 private:
  std::int64_t initial_ms_;
  std::int64_t max_ms_;
  std::mutex mutex_;
  std::mt19937_64 random_;
};

}  // namespace bridge::dfdg
