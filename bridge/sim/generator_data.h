#pragma once
// Made-up but realistic Danish values for the generator: jobcentre (kommune number + 00, as
// jobcenter codes are built, domain.md §5.2), a-kasser, streets, names.

#include <array>
#include <string_view>

namespace bridge::sim::data {

struct Office {
  std::string_view code;  // OrganisationKode
  std::string_view name;
  std::string_view street;
  std::string_view number;
  std::string_view postnummer;
  std::string_view postdistrikt;
  std::string_view phone;
};

inline constexpr std::array kJobcentre{
    Office{"10100", "Jobcenter København", "Kalvebod Brygge", "45", "1560", "København V",
           "+4533663366"},
    Office{"14700", "Jobcenter Frederiksberg", "Smallegade", "1", "2000", "Frederiksberg",
           "+4538213800"},
    Office{"44000", "Jobcenter Kerteminde", "Hans Schacksvej", "4", "5300", "Kerteminde",
           "+4565151515"},
    Office{"46100", "Jobcenter Odense", "Østre Stationsvej", "15", "5000", "Odense C",
           "+4566131372"},
    Office{"75100", "Jobcenter Aarhus", "Værkmestergade", "25", "8000", "Aarhus C", "+4589403000"},
    Office{"85100", "Jobcenter Aalborg", "Kayerødsgade", "2", "9000", "Aalborg", "+4599313000"},
    Office{"56100", "Jobcenter Esbjerg", "Torvegade", "74", "6700", "Esbjerg", "+4576162400"},
    Office{"63000", "Jobcenter Vejle", "Enghavevej", "2", "7100", "Vejle", "+4576815300"},
};

inline constexpr std::array kAkasser{
    Office{"5105", "A-kassen Fyn, Odense afdeling", "Vestergade", "68", "5000", "Odense C",
           "+4570101010"},
    Office{"2401", "A-kassen Hovedstaden, Valby afdeling", "Gammel Køge Landevej", "55", "2500",
           "Valby", "+4570202020"},
    Office{"3307", "A-kassen Midtjylland, Aarhus afdeling", "Søren Frichs Vej", "38", "8230",
           "Åbyhøj", "+4570303030"},
    Office{"4412", "A-kassen Nordjylland, Aalborg afdeling", "Vesterbro", "103", "9000", "Aalborg",
           "+4570404040"},
};

inline constexpr std::array<std::string_view, 16> kFirstNames{
    "Mette", "Anne",  "Lars",   "Jens",    "Søren", "Camilla", "Mads",   "Sofie",
    "Emil",  "Freja", "Rasmus", "Kirsten", "Jonas", "Ida",     "Henrik", "Louise"};

inline constexpr std::array<std::string_view, 14> kLastNames{
    "Jensen",   "Nielsen",   "Hansen",    "Pedersen", "Andersen",   "Christensen", "Larsen",
    "Sørensen", "Rasmussen", "Jørgensen", "Madsen",   "Kristensen", "Olsen",       "Thomsen"};

inline constexpr std::array<std::string_view, 6> kRooms{
    "mødelokale 1", "mødelokale 2", "mødelokale 3", "samtalerum A", "samtalerum B", "stuen"};

}  // namespace bridge::sim::data
