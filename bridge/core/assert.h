#pragma once
// Always-on invariant checks. A broken invariant is a bug: print where and why, then abort, in
// release builds too. Never use this to check input; input errors are Result values.

#include <cstdio>
#include <cstdlib>

#define BRIDGE_ASSERT(cond, msg)                                                                   \
  do {                                                                                             \
    if (!(cond)) [[unlikely]] {                                                                    \
      std::fprintf(stderr, "%s:%d: assertion failed: %s: %s\n", __FILE__, __LINE__, #cond, (msg)); \
      std::abort();                                                                                \
    }                                                                                              \
  } while (0)
