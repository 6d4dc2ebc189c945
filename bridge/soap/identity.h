#pragma once
// Who is calling: the consumer selected by ActiveOrganisationHeader, checked against the TLS
// client certificate when the listener requires one (STAR's security model: the certificate
// decides which organisations the caller may act for).

#include "bridge/queue/consumers.h"

struct soap;

namespace bridge::soap {

// The calling consumer, or nullptr after a fault was set on the context (1014 missing header,
// 4575 unknown certificate, 1013 organisation not allowed).
const queue::Consumer* identify_caller(struct ::soap* soap);

// Subject (OpenSSL one-line form) and SHA-256 fingerprint of the peer certificate, if any.
struct PeerCertificate {
  std::string subject;
  std::string sha256;
};
std::optional<PeerCertificate> peer_certificate(struct ::soap* soap);

}  // namespace bridge::soap
