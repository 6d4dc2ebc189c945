#pragma once
// GUIDs in the lower-case 8-4-4-4-12 form the legacy contract uses.

#include <random>
#include <string>
#include <string_view>

namespace bridge {

// Random (version 4) GUIDs from an injected engine, so tests can be deterministic.
class UuidGenerator {
 public:
  explicit UuidGenerator(std::uint64_t seed) : engine_(seed) {}
  // Seeded from the operating system's entropy over the engine's whole state, so two processes
  // (or a restart) never repeat each other's identifiers.
  UuidGenerator();
  std::string next();

 private:
  std::mt19937_64 engine_;
};

// Name-based (version 5, SHA-1) GUID: the same name always gives the same GUID. Used for the
// legacy MessageIdentifier so a message keeps its id across redeliveries and restarts.
std::string uuid_v5(std::string_view namespace_uuid, std::string_view name);

bool is_uuid(std::string_view s);

}  // namespace bridge
