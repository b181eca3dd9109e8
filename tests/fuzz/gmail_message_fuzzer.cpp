// libFuzzer target: Gmail JSON answers (message metadata, list and history
// pages, profile, send-as, labels, Directory pages, error bodies). Parsers
// give a value or kCorruption, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crmsync/gmail/gmail.hpp"

namespace {

template <typename R>
void Expect(const R& result) {
  if (!result.ok() && result.status().code() != crmsync::StatusCode::kCorruption) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace crmsync::gmail;
  Expect(ParseMessageMetadata(input));
  Expect(ParseListPage(input));
  Expect(ParseHistoryPage(input));
  Expect(ParseProfileHistoryId(input));
  Expect(ParseSendAsList(input));
  Expect(ParseLabelsList(input));
  Expect(ParseDirectoryUsersPage(input));
  Expect(ParseDirectoryMembersPage(input));
  (void)ParseGoogleError(input);
  (void)EpochMillisToIso8601(input);
  return 0;
}
