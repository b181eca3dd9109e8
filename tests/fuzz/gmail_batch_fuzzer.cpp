// libFuzzer target: the Gmail batch (multipart/mixed) response parser.
// Input: "<Content-Type>\n<body>" (the corpus under corpus/gmail_batch/ uses
// that form). Any input must give parts or kCorruption, never a crash; a
// successful parse has at least one part, each with a 3-digit status.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crmsync/gmail/batch.hpp"
#include "crmsync/gmail/gmail.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  const std::string_view content_type = input.substr(0, nl == std::string_view::npos ? input.size() : nl);
  const std::string_view body = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);

  auto parts = crmsync::gmail::ParseBatchResponse(content_type, body);
  if (parts.ok()) {
    if (parts->empty()) std::abort();
    for (const auto& part : *parts) {
      if (part.status < 100 || part.status > 999) std::abort();
    }
  } else if (parts.status().code() != crmsync::StatusCode::kCorruption) {
    std::abort();
  }
  // The address-list parser reads header values of the same answers.
  (void)crmsync::gmail::ParseAddressList(body);
  return 0;
}
