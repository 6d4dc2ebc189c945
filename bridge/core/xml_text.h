#pragma once
// Text for XML written by hand (SOAP requests, templates, namespace attributes).

#include <string>
#include <string_view>

namespace bridge {

// XML character data or an attribute value: & < > " ' escaped, CR as &#13; (so it survives
// end-of-line normalisation), and the other control characters XML 1.0 cannot carry left out;
// tab and newline are kept.
std::string xml_escape(std::string_view text);

}  // namespace bridge
