#pragma once
// libcurl's handles as owned values, for the modules that speak HTTP through libcurl (the DFDG
// client, the shadow recorder). Header-only: only programs that link libcurl include it.

#include <curl/curl.h>

#include <memory>
#include <string>

namespace bridge::curl {

// curl_global_init is not thread-safe in every libcurl build; a function-local static runs it
// exactly once, under the compiler's guard. It is never undone: handles may outlive any owner.
inline CURLcode init_once() {
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  return result;
}

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct HeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, HeaderListDeleter>;

// Appends one header line; false when libcurl is out of memory (the list is then unchanged and
// still owned).
inline bool append(HeaderList& list, const std::string& line) {
  curl_slist* head = curl_slist_append(list.get(), line.c_str());
  if (head == nullptr) return false;
  (void)list.release();
  list.reset(head);
  return true;
}

}  // namespace bridge::curl
