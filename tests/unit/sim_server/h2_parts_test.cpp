// The HTTP/2 server's pieces on their own: request-target decoding, the ALPN
// offer check, and the growing worker pool.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "h2_stream.hpp"
#include "h2_tls_context.hpp"
#include "url_decoding.hpp"
#include "worker_pool.hpp"

namespace crmsync::sim {
namespace {

TEST_CASE("url_decoding: paths decode %XX only, queries also '+'", "[sim_server][h2]") {
  CHECK(PercentDecode("/users/a%20b+c", false) == "/users/a b+c");
  CHECK(PercentDecode("a%2fb%2Fc", false) == "a/b/c");
  CHECK(PercentDecode("100%", false) == "100%");       // malformed escapes stay as sent
  CHECK(PercentDecode("%zz%4", false) == "%zz%4");
  CHECK(PercentDecode("SELECT+Id", true) == "SELECT Id");

  auto query = ParseQuery("%24select=a%2Cb&$top=5&flag&&q=x+y&dup=1&dup=2");
  CHECK(query.find("$select")->second == "a,b");
  CHECK(query.find("$top")->second == "5");
  REQUIRE(query.count("flag") == 1);
  CHECK(query.find("flag")->second.empty());
  CHECK(query.find("q")->second == "x y");
  CHECK(query.count("dup") == 2);
  CHECK(query.size() == 6);
  CHECK(ParseQuery("").empty());
}

std::string Offer(const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& name : names) list += static_cast<char>(name.size()) + name;
  return std::string{static_cast<char>(list.size() >> 8), static_cast<char>(list.size() & 0xff)} + list;
}

bool OffersH2(const std::string& offer) {
  return AlpnOffersH2(reinterpret_cast<const unsigned char*>(offer.data()), offer.size());
}

std::string Describe(const std::string& offer) {
  return DescribeAlpnOffer(reinterpret_cast<const unsigned char*>(offer.data()), offer.size());
}

TEST_CASE("h2_tls_context: only an ALPN offer naming h2 is accepted", "[sim_server][h2]") {
  CHECK(OffersH2(Offer({"h2", "http/1.1"})));
  CHECK(OffersH2(Offer({"http/1.1", "h2"})));
  CHECK_FALSE(OffersH2(Offer({"http/1.1"})));
  CHECK_FALSE(OffersH2(Offer({"h2c"})));
  CHECK_FALSE(OffersH2("\x00\x05\x02h2"));   // list length says more than there is
  CHECK(Describe(Offer({"http/1.1", "spdy/3"})) == "http/1.1, spdy/3");
  CHECK(Describe(Offer({})) == "(none)");
  CHECK(Describe("\x00") == "(malformed)");
}

TEST_CASE("worker_pool: grows while every worker is busy, reuses idle ones", "[sim_server][h2]") {
  WorkerPool pool(8);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
  for (int i = 0; i < 3; ++i) {
    pool.Submit([&] {
      ++started;
      released.wait();
      ++finished;
    });
  }
  while (started < 3) std::this_thread::yield();   // three blocked tasks: three workers
  CHECK(pool.threads() == 3);
  release.set_value();
  while (finished < 3) std::this_thread::yield();

  std::atomic<int> later{0};
  for (int i = 0; i < 3; ++i) {
    std::promise<void> done;
    pool.Submit([&] {
      ++later;
      done.set_value();
    });
    done.get_future().wait();
  }
  CHECK(later == 3);
  CHECK(pool.threads() == 3);   // one at a time: served by the idle workers
}

TEST_CASE("worker_pool: queues beyond its cap, Stop waits for the running task", "[sim_server][h2]") {
  WorkerPool pool(1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> second_ran{false};
  pool.Submit([&] { released.wait(); });
  pool.Submit([&] { second_ran = true; });
  CHECK(pool.threads() == 1);
  CHECK_FALSE(second_ran);   // queued behind the blocked one
  release.set_value();
  while (!second_ran) std::this_thread::yield();

  std::atomic<bool> slow_done{false};
  std::promise<void> entered;
  pool.Submit([&] {
    entered.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    slow_done = true;
  });
  entered.get_future().wait();
  pool.Stop();
  CHECK(slow_done);
  std::atomic<bool> after_stop{false};
  pool.Submit([&] { after_stop = true; });   // ignored after Stop
  pool.Stop();
  CHECK_FALSE(after_stop);
}

// Pulls the body out of the stream `chunk` bytes at a time, as nghttp2 does
// frame by frame; returns what was sent and the last callback result.
std::pair<std::string, ssize_t> Drain(H2Stream& stream, std::size_t chunk, bool& eof) {
  std::string sent;
  std::vector<std::uint8_t> buffer(chunk);
  nghttp2_data_source source{};
  source.ptr = &stream;
  eof = false;
  while (true) {
    std::uint32_t flags = 0;
    const ssize_t n = H2Stream::ReadBody(nullptr, 1, buffer.data(), buffer.size(), &flags, &source, nullptr);
    if (n < 0) return {sent, n};
    sent.append(reinterpret_cast<const char*>(buffer.data()), static_cast<std::size_t>(n));
    if ((flags & NGHTTP2_DATA_FLAG_EOF) != 0) {
      eof = true;
      return {sent, n};
    }
  }
}

TEST_CASE("h2_stream: the body is sent, padded or cut frame by frame", "[sim_server][h2][faults]") {
  H2Stream stream;
  stream.response.body = "0123456789abcdef";
  bool eof = false;
  SECTION("whole body, then end of stream") {
    stream.declared = stream.send_limit = 16;
    auto [sent, last] = Drain(stream, 5, eof);
    CHECK(sent == "0123456789abcdef");
    CHECK(eof);
  }
  SECTION("declared beyond the body: padded with blanks") {
    stream.declared = stream.send_limit = 40;
    auto [sent, last] = Drain(stream, 7, eof);
    CHECK(sent == "0123456789abcdef" + std::string(24, ' '));
    CHECK(eof);
  }
  SECTION("cut: the first bytes, then a reset instead of the end") {
    stream.declared = 16;
    stream.send_limit = 10;
    stream.cut = true;
    auto [sent, last] = Drain(stream, 4, eof);
    CHECK(sent == "0123456789");
    CHECK_FALSE(eof);
    CHECK(last == NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE);   // nghttp2: RST_STREAM(INTERNAL_ERROR)
  }
}

}  // namespace
}  // namespace crmsync::sim
