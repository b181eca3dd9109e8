// [tenants.capture]: see capture_config.hpp and README "Capture rules".
#include "config_reader.hpp"

namespace crmsync::engine::config_detail {

Status ReadCapture(const toml::table& table, const std::string& file, const std::string& prefix,
                   CaptureConfig& out) {
  (void)out;
  TableReader r(table, file, prefix);
  return r.RejectUnknown();
}

}  // namespace crmsync::engine::config_detail
