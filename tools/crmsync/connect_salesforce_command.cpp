// `crmsync connect salesforce`: the OAuth web-server flow or a headless
// refresh token, stored sealed.
#include "command.hpp"

namespace crmsync::tools {

void AddConnectSalesforceCommand(CLI::App& connect, Commands& commands) {
  (void)connect;
  (void)commands;
}

}  // namespace crmsync::tools
