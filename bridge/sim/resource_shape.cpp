#include "bridge/sim/resource_shape.h"

#include <array>

namespace bridge::sim {
namespace {

enum class Kind { string, integer, boolean, object, array };

struct Field {
  std::string_view name;
  Kind kind;
  bool required = false;
};

// contract.md §4.2, top level.
constexpr std::array kResource{
    Field{"indkaldelseId", Kind::string, true},
    Field{"status", Kind::integer, true},
    Field{"samtaleType", Kind::integer},
    Field{"afholdelsesform", Kind::integer},
    Field{"moedeGruppeType", Kind::integer},
    Field{"starttidspunkt", Kind::string},
    Field{"sluttidspunkt", Kind::string},
    Field{"varighed", Kind::integer},
    Field{"titel", Kind::string},
    Field{"beskrivelse", Kind::string},
    Field{"lokation", Kind::string},
    Field{"adresse", Kind::object},
    Field{"telefonnummer", Kind::string},
    Field{"digitaltMoedelink", Kind::string},
    Field{"ansvarligSagsbehandler", Kind::string},
    Field{"ombookingMulig", Kind::boolean},
    Field{"ombookingsfrist", Kind::string},
    Field{"aflysningMulig", Kind::boolean},
    Field{"aflysningsfrist", Kind::string},
    Field{"selvbooket", Kind::boolean},
    Field{"ejersystem", Kind::integer},
    Field{"gruppemoedeId", Kind::string},
    Field{"akasseDeltagelsesstatus", Kind::integer},
    Field{"myndighedsdeltagere", Kind::array},
    Field{"registreringsmetadata", Kind::object},
};

constexpr std::array kAdresse{
    Field{"vejnavn", Kind::string},    Field{"husnummer", Kind::string},
    Field{"etage", Kind::string},      Field{"doer", Kind::string},
    Field{"postnummer", Kind::string}, Field{"postdistrikt", Kind::string},
};

constexpr std::array kMyndighedsdeltager{
    Field{"myndighedsdeltagerId", Kind::string},
    Field{"navn", Kind::string},
    Field{"kontaktdetaljer", Kind::string},
    Field{"telefonnummer", Kind::string},
    Field{"email", Kind::string},
    Field{"organisationType", Kind::integer},
    Field{"organisationKode", Kind::string},
};

constexpr std::array kRegistreringsmetadata{
    Field{"registrerendeMyndighed", Kind::object},
    Field{"registreringstidspunkt", Kind::string},
    Field{"erSlettet", Kind::boolean},
};

constexpr std::array kOrganisation{
    Field{"organisationType", Kind::integer},
    Field{"organisationKode", Kind::string},
};

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::string:
      return "a string";
    case Kind::integer:
      return "an integer";
    case Kind::boolean:
      return "true or false";
    case Kind::object:
      return "an object";
    case Kind::array:
      return "an array";
  }
  return "?";
}

bool has_kind(const Json& v, Kind k) {
  switch (k) {
    case Kind::string:
      return v.is_string();
    case Kind::integer:
      return v.is_number_integer();
    case Kind::boolean:
      return v.is_boolean();
    case Kind::object:
      return v.is_object();
    case Kind::array:
      return v.is_array();
  }
  return false;
}

template <std::size_t N>
void check_object(const Json& value, std::string_view pointer, const std::array<Field, N>& fields,
                  FieldReader& reader);

// A nested object or array member, checked by its own table.
void check_nested(std::string_view name, const Json& value, const std::string& pointer,
                  FieldReader& reader) {
  if (name == "adresse") {
    check_object(value, pointer, kAdresse, reader);
  } else if (name == "registreringsmetadata") {
    check_object(value, pointer, kRegistreringsmetadata, reader);
  } else if (name == "registrerendeMyndighed") {
    check_object(value, pointer, kOrganisation, reader);
  } else if (name == "myndighedsdeltagere") {
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (!value[i].is_object()) {
        reader.fail(pointer_to(pointer, i),
                    "must be an object (a myndighedsdeltager), got " + json_type_name(value[i]));
        return;
      }
      check_object(value[i], pointer_to(pointer, i), kMyndighedsdeltager, reader);
    }
  }
}

template <std::size_t N>
void check_object(const Json& value, std::string_view pointer, const std::array<Field, N>& fields,
                  FieldReader& reader) {
  for (const auto& [key, member] : value.items()) {
    const Field* field = nullptr;
    for (const Field& f : fields) {
      if (f.name == key) field = &f;
    }
    const std::string here = pointer_to(pointer, key);
    if (!field) {
      std::string known;
      for (const Field& f : fields) known += (known.empty() ? "" : ", ") + std::string(f.name);
      reader.fail(here, "unknown field '" + key +
                            "' of the REST resource (contract.md 4.2: " + known + ")");
      return;
    }
    if (member.is_null()) continue;
    if (!has_kind(member, field->kind)) {
      reader.fail(here, std::string("must be ") + kind_name(field->kind) + " or null, got " +
                            json_type_name(member));
      return;
    }
    check_nested(key, member, here, reader);
  }
  for (const Field& f : fields) {
    if (f.required &&
        (!value.contains(std::string(f.name)) || value[std::string(f.name)].is_null())) {
      reader.fail(pointer_to(pointer, f.name), "is required in the REST resource");
      return;
    }
  }
}

}  // namespace

void check_resource_shape(const Json& resource, std::string_view pointer, FieldReader& reader) {
  if (!resource.is_object()) {
    reader.fail(pointer,
                "must be an object (the REST resource) or null, got " + json_type_name(resource));
    return;
  }
  check_object(resource, pointer, kResource, reader);
}

}  // namespace bridge::sim
