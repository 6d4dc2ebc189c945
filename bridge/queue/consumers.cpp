#include "bridge/queue/consumers.h"

#include <algorithm>
#include <cctype>

namespace bridge::queue {

std::string to_string(const Organisation& o) { return std::to_string(o.type) + "/" + o.code; }

std::string normalise_fingerprint(const std::string& fingerprint) {
  std::string out;
  for (char c : fingerprint) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

ConsumerRegistry::ConsumerRegistry(std::vector<Consumer> consumers)
    : consumers_(std::move(consumers)) {
  for (auto& c : consumers_) {
    for (auto& f : c.certificate_fingerprints) f = normalise_fingerprint(f);
  }
}

const Consumer* ConsumerRegistry::by_id(const std::string& id) const {
  auto it = std::find_if(consumers_.begin(), consumers_.end(),
                         [&](const Consumer& c) { return c.id == id; });
  return it == consumers_.end() ? nullptr : &*it;
}

const Consumer* ConsumerRegistry::by_organisation(const Organisation& org) const {
  for (const auto& c : consumers_) {
    if (std::find(c.organisations.begin(), c.organisations.end(), org) != c.organisations.end()) {
      return &c;
    }
  }
  return nullptr;
}

bool certificate_matches(const Consumer& c, const std::string& subject,
                         const std::string& sha256_fingerprint) {
  const std::string fp = normalise_fingerprint(sha256_fingerprint);
  const auto& fps = c.certificate_fingerprints;
  const auto& subjects = c.certificate_subjects;
  const bool fingerprint_known =
      !fp.empty() && std::any_of(fps.begin(), fps.end(), [&](const std::string& f) {
        return normalise_fingerprint(f) == fp;
      });
  return fingerprint_known || (!subject.empty() && std::find(subjects.begin(), subjects.end(),
                                                             subject) != subjects.end());
}

const Consumer* ConsumerRegistry::by_certificate(const std::string& subject,
                                                 const std::string& sha256_fingerprint) const {
  for (const auto& c : consumers_) {
    if (certificate_matches(c, subject, sha256_fingerprint)) return &c;
  }
  return nullptr;
}

}  // namespace bridge::queue
