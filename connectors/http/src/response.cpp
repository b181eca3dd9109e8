#include "crmsync/http/transport.hpp"

namespace crmsync::http {

std::string Response::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

}  // namespace crmsync::http
