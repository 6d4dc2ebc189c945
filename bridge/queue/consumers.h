#pragma once
// The legacy consumers the bridge serves: who they are, which organisations they may act for,
// which message types they receive, and how a TLS client certificate identifies them.

#include <optional>
#include <string>
#include <vector>

namespace bridge::queue {

struct Organisation {
  int type = 0;      // OrganisationTypeIdentifier, 1..100 (8 = jobcenter)
  std::string code;  // OrganisationCode, 1..20 characters (e.g. "44000")
  bool operator==(const Organisation&) const = default;
};

std::string to_string(const Organisation& o);  // "8/44000"

struct Consumer {
  std::string id;
  std::vector<Organisation> organisations;
  std::vector<std::string> message_types;  // Get… operations this consumer receives
  std::vector<std::string> sub_queues;     // extra queues that each get a copy (e.g. "shadow")
  std::vector<std::string> certificate_subjects;      // exact subject DN, OpenSSL one-line form
  std::vector<std::string> certificate_fingerprints;  // SHA-256, hex, colons optional
};

class ConsumerRegistry {
 public:
  explicit ConsumerRegistry(std::vector<Consumer> consumers);

  const std::vector<Consumer>& all() const { return consumers_; }
  const Consumer* by_id(const std::string& id) const;
  // The consumer that acts for this organisation (configuration guarantees at most one).
  const Consumer* by_organisation(const Organisation& org) const;
  // The first consumer a client certificate is registered with, by fingerprint or subject.
  const Consumer* by_certificate(const std::string& subject,
                                 const std::string& sha256_fingerprint) const;

 private:
  std::vector<Consumer> consumers_;
};

// Whether a client certificate (subject, SHA-256 fingerprint) is one of the consumer's.
bool certificate_matches(const Consumer& consumer, const std::string& subject,
                         const std::string& sha256_fingerprint);

// "AB:cd:01" and "abcd01" compare equal.
std::string normalise_fingerprint(const std::string& fingerprint);

}  // namespace bridge::queue
