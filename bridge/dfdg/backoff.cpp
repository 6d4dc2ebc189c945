#include "bridge/dfdg/backoff.h"

#include <algorithm>

namespace bridge::dfdg {
namespace {

std::uint64_t seed_or_random(std::uint64_t seed) {
  if (seed != 0) return seed;
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

Backoff::Backoff(int initial_ms, int max_ms, std::uint64_t seed)
    : initial_ms_(std::max(initial_ms, 0)),
      max_ms_(std::max(max_ms, 0)),
      random_(seed_or_random(seed)) {}

std::chrono::milliseconds Backoff::ceiling(int retry) const {
  std::int64_t ms = std::min(initial_ms_, max_ms_);
  // Doubling stops at the cap, so a large retry number cannot overflow.
  for (int i = 0; i < retry && ms < max_ms_; ++i) ms = std::min(ms * 2, max_ms_);
  return std::chrono::milliseconds(ms);
}

std::chrono::milliseconds Backoff::delay(int retry) {
  const std::int64_t high = ceiling(retry).count();
  std::uniform_int_distribution<std::int64_t> pick(0, high);
  const std::lock_guard<std::mutex> lock(mutex_);
  return std::chrono::milliseconds(pick(random_));
}

}  // namespace bridge::dfdg
