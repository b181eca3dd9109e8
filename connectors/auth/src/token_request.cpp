#include "token_request.hpp"

#include "crmsync/http/url.hpp"

namespace crmsync::auth {

http::Request TokenRequest(const std::string& token_url, const std::string& ca_file, std::string kind,
                           const std::vector<std::pair<std::string, std::string>>& form) {
  http::Request request;
  request.method = "POST";
  request.url = token_url;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  request.body = http::FormEncode(form);
  request.ca_file = ca_file;
  request.kind = std::move(kind);
  return request;
}

}  // namespace crmsync::auth
