#include "bridge/sim/wsb_builder.h"

namespace bridge::sim {
namespace {

// Indkaldelse.WSB constants (domain.md §3.3, §3.5).
constexpr int kEntitetstypeId = 90000;
constexpr const char* kEntitetstypeNavn = "Indkaldelse";
constexpr int kIdentifikationstypeCpr = 1;

Json organisation(const Organisation& o) {
  Json out = Json::object();
  out["OrganisationType"] = o.type;
  out["OrganisationKode"] = o.code;  // a string, also when it is all digits
  return out;
}

}  // namespace

Json wsb_header(const Step& step) {
  const Registrant& r = step.registrant;
  Json bruger = Json::object();
  bruger["BrugertypeId"] = r.brugertype;
  bruger["BrugertypeNavn"] = r.brugertype_navn;
  bruger["Brugernavn"] = r.brugernavn;
  bruger["Brugeridentifikation"] = r.brugeridentifikation;
  bruger["Brugeremail"] = r.brugeremail;
  bruger["KaldendeMyndighed"] = organisation(r.calling);

  Json oprindelse = Json::object();
  oprindelse["RegistrerendeMyndighed"] = organisation(r.authority);
  oprindelse["RegistrerendeBruger"] = std::move(bruger);
  oprindelse["SystemId"] = r.system_id;
  oprindelse["Systemnavn"] = r.systemnavn;

  Json h = Json::object();
  h["Oprindelse"] = std::move(oprindelse);
  h["BeskedIdentifier"] = step.besked_identifier;
  h["HaendelsesTid"] = step.haendelsestid;
  h["Miljoe"] = step.miljoe;
  h["KorrelationsIdentifier"] = step.korrelations_identifier;
  h["EntitetstypeId"] = kEntitetstypeId;
  h["EntitetstypeNavn"] = kEntitetstypeNavn;
  h["EksternIdentifier"] = step.indkaldelse;
  h["VersionIdentifier"] = nullptr;  // null in the example; DFDG does not fill it (§3.5)
  h["Identifikation"] = step.cpr;
  h["IdentifikationstypeId"] = kIdentifikationstypeCpr;
  h["IdentifikationstypeNavn"] = "CPR";
  h["AendringstypeId"] = step.aendringstype;
  h["AendringstypeNavn"] = step.aendringstype_navn;
  return h;
}

std::string wsb_text(const Step& step) {
  Json header = wsb_header(step);
  switch (step.layout) {
    case Layout::flat:
      if (step.body) header["Body"] = *step.body;
      return header.dump() + "\n";
    case Layout::pair:
      return header.dump() + (step.body ? "\n\n" + step.body->dump() : "") + "\n";
    case Layout::header_body: {
      Json doc = Json::object();
      doc["Header"] = std::move(header);
      if (step.body) doc["Body"] = *step.body;
      return doc.dump() + "\n";
    }
    case Layout::array:
      return Json::array({std::move(header), step.body ? *step.body : Json::object()}).dump() +
             "\n";
  }
  return header.dump() + "\n";
}

}  // namespace bridge::sim
