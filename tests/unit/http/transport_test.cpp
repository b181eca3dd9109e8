// CurlMultiTransport over plain HTTP against the simulator's server.
#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crmsync/http/curl_multi_transport.hpp"
#include "http_server.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
using crmsync::http::CurlMultiTransport;
using crmsync::http::PerformBlocking;
using crmsync::http::Request;
using crmsync::http::Response;
using crmsync::http::TransportError;
using crmsync::sim::HttpRequest;
using crmsync::sim::HttpResponse;
using crmsync::sim::HttpServer;
using crmsync::testing::Gate;
using crmsync::testing::RefusingPort;

namespace {

crmsync::sim::ServerOptions PlainOptions() {
  crmsync::sim::ServerOptions options;
  options.tls = false;
  return options;
}

HttpResponse Echo(const HttpRequest& request) {
  HttpResponse response;
  response.headers.emplace("Content-Type", "text/plain");
  response.headers.emplace("X-Echo-Method", request.method);
  response.headers.emplace("X-Echo-Header", request.header("x-test"));
  response.body = request.path + "|" + request.raw_query + "|" + request.body;
  return response;
}

Request Get(const std::string& url, std::string kind = "test") {
  Request request;
  request.url = url;
  request.kind = std::move(kind);
  request.timeout = 5s;
  return request;
}

// Collects completions; the test waits on it with a deadline instead of sleeping.
class Collector {
 public:
  crmsync::http::Completion Slot(int id) {
    return [this, id](Response&& response) {
      std::lock_guard lock(mu_);
      done_.push_back({id, std::move(response)});
      cv_.notify_all();
    };
  }
  bool AwaitCount(size_t count, std::chrono::milliseconds limit = 10s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return done_.size() >= count; });
  }
  std::vector<std::pair<int, Response>> done() {
    std::lock_guard lock(mu_);
    return done_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<int, Response>> done_;
};

}  // namespace

TEST_CASE("transport: method, body, headers and status round-trip", "[http]") {
  HttpServer server(PlainOptions(), Echo);
  CurlMultiTransport transport;

  Request request = Get(server.origin() + "/v1/items?a=1&b=two");
  request.method = "PATCH";
  request.body = R"({"name":"x"})";
  request.headers = {{"Content-Type", "application/json"}, {"X-Test", "hello"}};
  Response response = PerformBlocking(transport, request);
  REQUIRE(response.transport_ok());
  CHECK(response.status == 200);
  CHECK(response.body == R"(/v1/items|a=1&b=two|{"name":"x"})");
  CHECK(response.header("x-echo-method") == "PATCH");  // names lower-cased
  CHECK(response.header("x-echo-header") == "hello");
  CHECK(response.header("content-type") == "text/plain");
  CHECK(response.elapsed > 0us);

  Request post = Get(server.origin() + "/post");
  post.method = "POST";
  post.body = std::string(100'000, 'z');  // large enough for curl to consider Expect: 100-continue
  Response posted = PerformBlocking(transport, post);
  CHECK(posted.status == 200);
  CHECK(posted.body == "/post||" + post.body);
}

TEST_CASE("transport: many concurrent requests each complete exactly once", "[http]") {
  HttpServer server(PlainOptions(), Echo);
  CurlMultiTransport transport;
  constexpr int kRequests = 300;
  std::array<std::atomic<int>, kRequests> calls{};
  std::array<std::atomic<bool>, kRequests> right_body{};
  std::atomic<int> total{0};
  std::promise<void> all_done;

  // Submitted from several threads at once: Submit() is thread-safe.
  std::vector<std::thread> submitters;
  for (int t = 0; t < 3; ++t) {
    submitters.emplace_back([&, t] {
      for (int i = t; i < kRequests; i += 3) {
        transport.Submit(Get(server.origin() + "/item/" + std::to_string(i), i % 2 ? "odd" : "even"),
                         [&, i](Response&& response) {
                           calls[i]++;
                           right_body[i] = response.status == 200 &&
                                           response.body == "/item/" + std::to_string(i) + "||";
                           if (++total == kRequests) all_done.set_value();
                         });
      }
    });
  }
  for (auto& submitter : submitters) submitter.join();
  REQUIRE(all_done.get_future().wait_for(20s) == std::future_status::ready);
  for (int i = 0; i < kRequests; ++i) {
    INFO("request " << i);
    CHECK(calls[i] == 1);
    CHECK(right_body[i]);
  }
  const auto stats = transport.Stats();
  CHECK(stats.requests == kRequests);
  CHECK(stats.transport_failures == 0);
  CHECK(stats.by_kind.at("odd") == kRequests / 2);
  CHECK(stats.by_kind.at("even") == kRequests / 2);
  CHECK(stats.connections_opened >= 1);
}

TEST_CASE("transport: a delayed request starts after its delay", "[http]") {
  HttpServer server(PlainOptions(), Echo);
  CurlMultiTransport transport;
  Collector collector;

  const auto submitted = std::chrono::steady_clock::now();
  Request delayed = Get(server.origin() + "/delayed");
  delayed.delay = 300ms;
  std::chrono::steady_clock::time_point delayed_done;
  std::promise<void> delayed_finished;
  transport.Submit(delayed, [&](Response&& response) {
    delayed_done = std::chrono::steady_clock::now();
    collector.Slot(1)(std::move(response));
    delayed_finished.set_value();
  });
  transport.Submit(Get(server.origin() + "/immediate"), collector.Slot(2));

  REQUIRE(collector.AwaitCount(2));
  delayed_finished.get_future().wait();
  const auto done = collector.done();
  CHECK(done[0].first == 2);  // the later, immediate request finished first
  CHECK(done[1].first == 1);
  CHECK(done[1].second.status == 200);
  CHECK(delayed_done - submitted >= 300ms);
}

TEST_CASE("transport: a slow server hits the request timeout", "[http]") {
  Gate gate;
  HttpServer server(PlainOptions(), [&](const HttpRequest& request) {
    gate.Wait();
    return Echo(request);
  });
  CurlMultiTransport transport;

  Request request = Get(server.origin() + "/slow?token=do-not-log");
  request.timeout = 200ms;
  const auto started = std::chrono::steady_clock::now();
  Response response = PerformBlocking(transport, request);
  gate.Open();
  CHECK(std::chrono::steady_clock::now() - started < 3s);
  CHECK(response.error == TransportError::kTimeout);
  CHECK(response.status == 0);
  CHECK(response.error_message.find("127.0.0.1:" + std::to_string(server.port())) == 0);
  CHECK(response.error_message.find("do-not-log") == std::string::npos);
  CHECK(transport.Stats().transport_failures == 1);
}

TEST_CASE("transport: connection refused is kConnect naming host and port", "[http]") {
  RefusingPort refusing;
  CurlMultiTransport transport;
  Response response = PerformBlocking(transport, Get("http://127.0.0.1:" + std::to_string(refusing.port()) + "/x"));
  CHECK(response.error == TransportError::kConnect);
  CHECK(response.error_message.find("127.0.0.1:" + std::to_string(refusing.port()) + ": ") == 0);
}

TEST_CASE("transport: a throwing callback does not stop the loop", "[http]") {
  HttpServer server(PlainOptions(), Echo);
  CurlMultiTransport transport;
  std::promise<void> thrown;
  transport.Submit(Get(server.origin() + "/a"), [&](Response&&) {
    thrown.set_value();
    throw std::runtime_error("caller bug");
  });
  REQUIRE(thrown.get_future().wait_for(10s) == std::future_status::ready);
  Response after = PerformBlocking(transport, Get(server.origin() + "/b"));
  CHECK(after.status == 200);
  CHECK(after.body == "/b||");
  CHECK(transport.Stats().callback_exceptions == 1);
}

TEST_CASE("transport: destruction completes queued and in-flight requests", "[http]") {
  Gate gate;
  HttpServer server(PlainOptions(), [&](const HttpRequest& request) {
    gate.Wait();
    return Echo(request);
  });
  Collector collector;
  {
    CurlMultiTransport transport;
    // A completion that retries during shutdown is answered too, not lost.
    transport.Submit(Get(server.origin() + "/in-flight-1"), [&](Response&& response) {
      collector.Slot(1)(std::move(response));
      transport.Submit(Get(server.origin() + "/retry"), collector.Slot(4));
    });
    transport.Submit(Get(server.origin() + "/in-flight-2"), collector.Slot(2));
    Request later = Get(server.origin() + "/later");
    later.delay = 1h;
    transport.Submit(later, collector.Slot(3));
    REQUIRE(gate.AwaitArrivals(2));  // both are at the server, waiting
  }
  gate.Open();
  const auto done = collector.done();  // the destructor already completed them
  REQUIRE(done.size() == 4);
  for (const auto& [id, response] : done) {
    INFO("request " << id);
    CHECK(response.error == TransportError::kOther);
    CHECK(response.error_message == "transport shut down");
  }
}

TEST_CASE("transport: a completion may submit the next request", "[http]") {
  HttpServer server(PlainOptions(), Echo);
  CurlMultiTransport transport;
  std::promise<std::string> second_body;
  transport.Submit(Get(server.origin() + "/first"), [&](Response&&) {
    transport.Submit(Get(server.origin() + "/second"),
                     [&](Response&& response) { second_body.set_value(response.body); });
  });
  auto future = second_body.get_future();
  REQUIRE(future.wait_for(10s) == std::future_status::ready);
  CHECK(future.get() == "/second||");
}
