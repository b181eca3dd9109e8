#include "tenant_runtime.hpp"

namespace crmsync::engine {

Status MakeExchangeSource(TenantRuntime& tenant, http::Transport& transport, std::chrono::milliseconds timeout) {
  (void)transport;
  (void)timeout;
  return Status::InvalidArgument("tenant " + tenant.config->id + ": the Exchange (EWS) connector is not built yet");
}

}  // namespace crmsync::engine
