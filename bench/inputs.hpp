// Synthetic but realistically shaped inputs of the micro benchmarks: a Graph
// delta page (~2.2 KB per message, the fields the connector selects), Gmail
// format=metadata messages, and parsed Messages for the later stages.
#pragma once

#include <string>
#include <vector>

#include "crmsync/core/message.hpp"

namespace crmsync::bench {

inline constexpr int kMessagesPerPage = 100;

// A Graph mail delta page of `count` messages with an @odata.nextLink.
std::string GraphDeltaPage(int count, int seed = 0);
// One Gmail messages.get?format=metadata body.
std::string GmailMetadata(int index);
// `count` parsed messages between the org "acme.example" and outside people.
std::vector<Message> Messages(int count);

}  // namespace crmsync::bench
