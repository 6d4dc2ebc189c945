#pragma once
// Errors as values at every boundary (parsers, loaders, store, clients).
// An Error carries a stable code from its stage's enum and a message that names the input and the
// spot, e.g. "config.toml: [[consumer]] #2: organisation code is empty".

#include <boost/outcome/policy/terminate.hpp>
#include <boost/outcome/result.hpp>

#include <string>
#include <utility>

namespace bridge {

// Which stage raised the error; each has its own code space documented next to its enum.
enum class ErrorDomain {
  config,
  store,
  queue,
  soap,
  io,
  wsb,
  inbox,
  dfdg,
  routing,
  mapping,
  pipeline,
  sim,
  compare
};

struct Error {
  ErrorDomain domain;
  int code;  // stage-specific; see the stage's errc enum
  std::string message;
};

// value() on an error is a bug, not an input problem: the policy terminates the process.
template <class T>
using Result = boost::outcome_v2::result<T, Error, boost::outcome_v2::policy::terminate>;

inline Error make_error(ErrorDomain domain, int code, std::string message) {
  return Error{domain, code, std::move(message)};
}

inline boost::outcome_v2::success_type<void> ok() { return boost::outcome_v2::success(); }

}  // namespace bridge

// BRIDGE_TRY(expr): return the error of a failed Result<void> (or any Result, value dropped).
// BRIDGE_TRY(decl, expr): declare `decl` from the value of expr, or return its error.
#define BRIDGE_CAT_(a, b) a##b
#define BRIDGE_CAT(a, b) BRIDGE_CAT_(a, b)
#define BRIDGE_TRY_1_(expr)                                                \
  do {                                                                     \
    auto&& bridge_try_result_ = (expr);                                    \
    if (!bridge_try_result_) return std::move(bridge_try_result_).error(); \
  } while (0)
#define BRIDGE_TRY_2_(decl, expr, tmp)     \
  auto&& tmp = (expr);                     \
  if (!tmp) return std::move(tmp).error(); \
  decl = std::move(tmp).value()
#define BRIDGE_TRY_PICK_(_1, _2, name, ...) name
#define BRIDGE_TRY(...) \
  BRIDGE_TRY_PICK_(__VA_ARGS__, BRIDGE_TRY_2_WRAP_, BRIDGE_TRY_1_)(__VA_ARGS__)
#define BRIDGE_TRY_2_WRAP_(decl, expr) \
  BRIDGE_TRY_2_(decl, expr, BRIDGE_CAT(bridge_try_, __COUNTER__))
