#include "bridge/soap/identity.h"

#include "bridge/soap/faults.h"
#include "bridge/soap/service_context.h"
#include "soapH.h"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace bridge::soap {

std::optional<PeerCertificate> peer_certificate(struct ::soap* soap) {
  if (!soap->ssl) return std::nullopt;
  std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(soap->ssl),
                                                   &X509_free);
  if (!cert) return std::nullopt;
  PeerCertificate pc;
  auto openssl_free = [](char* p) { OPENSSL_free(p); };
  std::unique_ptr<char, decltype(openssl_free)> subject(
      X509_NAME_oneline(X509_get_subject_name(cert.get()), nullptr, 0), openssl_free);
  if (subject) pc.subject = subject.get();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert.get(), EVP_sha256(), md, &len) == 1) {
    static const char* hex = "0123456789abcdef";
    for (unsigned int i = 0; i < len; ++i) {
      pc.sha256.push_back(hex[md[i] >> 4]);
      pc.sha256.push_back(hex[md[i] & 15]);
    }
  }
  return pc;
}

const queue::Consumer* identify_caller(struct ::soap* soap) {
  ServiceContext& ctx = context_of(soap);
  const auto* header = soap->header ? soap->header->aoh__ActiveOrganisationHeader : nullptr;
  if (!header) {
    send_fault(soap, kValidationFailed,
               "the SOAP header ActiveOrganisationHeader is required (OrganisationTypeIdentifier "
               "and OrganisationCode)");
    return nullptr;
  }
  const queue::Organisation org{header->OrganisationTypeIdentifier, header->OrganisationCode};
  const queue::Consumer* consumer = ctx.consumers.by_organisation(org);
  if (ctx.tls) {
    // The organisation selects the consumer; the certificate must be one of that consumer's.
    // A certificate may be registered with several consumers (a supplier serving several
    // jobcentres). Unknown anywhere: 4575; known, but not for this organisation: 1013.
    const auto cert = peer_certificate(soap);
    const bool registered =
        cert && ctx.consumers.by_certificate(cert->subject, cert->sha256) != nullptr;
    if (!registered) {
      send_fault(soap, kNotAuthorized,
                 "You are not authorized: the client certificate is not "
                 "registered for any consumer");
      return nullptr;
    }
    if (consumer && queue::certificate_matches(*consumer, cert->subject, cert->sha256)) {
      return consumer;
    }
    send_fault(soap, kInsufficientPermissions,
               "Insufficient permissions: the client certificate may not act for organisation " +
                   queue::to_string(org));
    return nullptr;
  }
  if (consumer) return consumer;
  send_fault(soap, kInsufficientPermissions,
             "Insufficient permissions: organisation " + queue::to_string(org) +
                 " is not a consumer of this bridge");
  return nullptr;
}

}  // namespace bridge::soap
