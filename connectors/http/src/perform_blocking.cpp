#include <future>
#include <memory>

#include "crmsync/http/transport.hpp"

namespace crmsync::http {

Response PerformBlocking(Transport& transport, Request request) {
  auto promise = std::make_shared<std::promise<Response>>();
  std::future<Response> result = promise->get_future();
  transport.Submit(std::move(request),
                   [promise](Response&& response) { promise->set_value(std::move(response)); });
  return result.get();
}

}  // namespace crmsync::http
