#pragma once
// Boost.Test helpers for bridge::Result: the failure message shows the Error, and value() is
// never reached on an error (the Result policy would terminate the test binary).

#include "bridge/core/result.h"

#include <boost/test/unit_test.hpp>

#include <string>

namespace bridge::test {

template <class T>
std::string describe(const Result<T>& r) {
  if (r) return "success";
  return "error (domain " + std::to_string(static_cast<int>(r.error().domain)) + ", code " +
         std::to_string(r.error().code) + "): " + r.error().message;
}

}  // namespace bridge::test

// Stops the test case unless `r` holds a value.
#define BRIDGE_REQUIRE_OK(r) \
  BOOST_REQUIRE_MESSAGE(static_cast<bool>(r), ::bridge::test::describe(r))

// Stops the test case unless `r` holds an error of `domain` with code `errc` (an enum value).
#define BRIDGE_REQUIRE_ERROR(r, dom, errc)                                           \
  do {                                                                               \
    BOOST_REQUIRE_MESSAGE(!(r), "expected an error, got success");                   \
    BOOST_REQUIRE_MESSAGE((r).error().domain == (dom), ::bridge::test::describe(r)); \
    BOOST_REQUIRE_MESSAGE((r).error().code == static_cast<int>(errc),                \
                          ::bridge::test::describe(r));                              \
  } while (0)
