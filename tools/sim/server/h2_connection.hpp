// One accepted HTTP/2-over-TLS connection: its own I/O thread runs the TLS
// handshake and then a poll loop that feeds bytes to nghttp2 (framing, HPACK,
// flow control), hands each complete request to the worker pool, and sends
// the responses the workers post back through a queue and an eventfd.
#pragma once

#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "h2_stream.hpp"
#include "server.hpp"

namespace crmsync::sim {

class WorkerPool;

// What every connection of one server shares; outlives them all (the server
// stops the pool before it lets go of the handler).
struct H2ConnectionContext {
  const Handler* handler = nullptr;
  WorkerPool* pool = nullptr;
  unsigned max_concurrent_streams = 1000;
  std::atomic<std::uint64_t>* resumed_requests = nullptr;
  std::atomic<std::uint64_t>* requests = nullptr;
};

class H2Connection : public std::enable_shared_from_this<H2Connection> {
 public:
  // Takes ownership of the socket and of the SSL bound to it.
  H2Connection(int fd, SSL* ssl, H2ConnectionContext context);
  ~H2Connection();
  H2Connection(const H2Connection&) = delete;
  H2Connection& operator=(const H2Connection&) = delete;

  // The connection's whole life, on its own thread; returns when it ends.
  void Run();
  // From any thread: send GOAWAY and end Run() (a client that stops reading
  // gets two seconds).
  void Stop();
  // Run() has returned.
  bool finished() const { return finished_.load(std::memory_order_acquire); }

 private:
  struct Completion {
    std::int32_t stream_id;
    HttpResponse response;
  };

  bool Handshake();
  bool StartSession();
  void Loop();
  bool ReadInput();
  bool FlushOutput();
  void Wake();
  // From a worker: the handler's answer to stream_id.
  void Complete(std::int32_t stream_id, HttpResponse response);
  void SubmitCompletions();
  void RequestComplete(std::int32_t stream_id, H2Stream& stream);
  void Dispatch(std::int32_t stream_id, H2Stream& stream);
  void Answer(std::int32_t stream_id, H2Stream& stream, HttpResponse response);

  static int OnBeginHeaders(nghttp2_session*, const nghttp2_frame*, void*);
  static int OnHeader(nghttp2_session*, const nghttp2_frame*, const std::uint8_t*, std::size_t,
                      const std::uint8_t*, std::size_t, std::uint8_t, void*);
  static int OnDataChunk(nghttp2_session*, std::uint8_t, std::int32_t, const std::uint8_t*, std::size_t, void*);
  static int OnFrameReceived(nghttp2_session*, const nghttp2_frame*, void*);
  static int OnStreamClose(nghttp2_session*, std::int32_t, std::uint32_t, void*);

  const int fd_;
  SSL* const ssl_;
  const int wake_fd_;   // eventfd: a completion was posted, or Stop()
  const H2ConnectionContext context_;
  nghttp2_session* session_ = nullptr;
  std::unordered_map<std::int32_t, std::unique_ptr<H2Stream>> streams_;
  bool resumed_ = false;
  // TLS output not yet accepted by the socket, from output_sent_ on.
  std::string output_;
  std::size_t output_sent_ = 0;
  bool want_pollout_ = false;
  bool tls_failed_ = false;   // SSL_shutdown is not allowed after a fatal error

  std::mutex completions_mutex_;
  std::deque<Completion> completions_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> finished_{false};
};

}  // namespace crmsync::sim
