#include "tenant_runtime.hpp"

namespace crmsync::engine {

Status MakeGoogleSource(TenantRuntime& tenant, http::Transport&, std::chrono::milliseconds) {
  return Status::InvalidArgument(
      "Google Workspace (tenants." + tenant.config->id +
      ".google) is not supported by this build yet: the Gmail connector is not wired into the engine");
}

}  // namespace crmsync::engine
