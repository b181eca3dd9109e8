// The acceptor: one thread accepts connections and gives each its own I/O
// thread (h2_connection.hpp); handlers run on a shared growing pool
// (worker_pool.hpp) because they block.
#include "h2_server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <list>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

#include <fmt/core.h>

#include "h2_connection.hpp"
#include "h2_tls_context.hpp"
#include "listen_socket.hpp"
#include "worker_pool.hpp"

namespace crmsync::sim {

struct H2Server::Impl {
  struct Running {
    std::shared_ptr<H2Connection> connection;
    std::thread thread;
  };

  ServerOptions options;
  Handler handler;
  std::unique_ptr<H2TlsContext> tls;
  std::unique_ptr<WorkerPool> pool;
  int listen_fd = -1;
  int stop_fd = -1;
  std::uint16_t port = 0;
  std::atomic<std::uint64_t> resumed_requests{0};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> requests{0};
  std::list<Running> connections;   // the acceptor's, then the destructor's
  std::thread acceptor;

  [[noreturn]] void Fail(const std::string& reason) const {
    throw std::runtime_error(
        fmt::format("crmsync-sim: cannot listen on {}:{}: {}", options.host, options.port, reason));
  }

  void Start() {
    if (!options.tls) Fail("HTTP/2 is served over HTTPS only (ALPN h2); drop plain HTTP");
    if (options.identity.cert_pem.empty() || options.identity.key_pem.empty()) {
      Fail("TLS requested without a certificate and key");
    }
    try {
      tls = std::make_unique<H2TlsContext>(options.identity);
    } catch (const std::exception& e) {
      Fail(e.what());
    }
    stop_fd = ::eventfd(0, EFD_CLOEXEC);
    if (stop_fd < 0) Fail(std::strerror(errno));
    listen_fd = OpenListenSocket(options.host, options.port);
    port = BoundPort(listen_fd);
    pool = std::make_unique<WorkerPool>(options.max_handler_threads);
    acceptor = std::thread([this] { Accept(); });
  }

  void Accept() {
    H2ConnectionContext context{&handler, pool.get(), options.max_concurrent_streams, &resumed_requests,
                                &requests};
    while (true) {
      pollfd fds[2] = {{listen_fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
      if (fds[1].revents != 0) return;
      if ((fds[0].revents & POLLIN) == 0) continue;
      ReapFinished();
      while (true) {
        const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
          // Out of descriptors: let connections end instead of spinning.
          if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
          }
          break;
        }
        accepted.fetch_add(1, std::memory_order_relaxed);
        if (connections.size() >= options.max_connections) {
          ::close(fd);
          continue;
        }
        const int on = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        SSL* ssl = tls->NewSession(fd);
        if (ssl == nullptr) {
          ::close(fd);
          continue;
        }
        auto connection = std::make_shared<H2Connection>(fd, ssl, context);
        try {
          connections.push_back(Running{connection, std::thread([connection] { connection->Run(); })});
        } catch (const std::system_error& e) {
          std::fprintf(stderr, "crmsync-sim: http2: cannot start a connection thread: %s\n", e.what());
        }
      }
    }
  }

  void ReapFinished() {
    for (auto it = connections.begin(); it != connections.end();) {
      if (!it->connection->finished()) {
        ++it;
        continue;
      }
      it->thread.join();
      it = connections.erase(it);
    }
  }

  void Stop() {
    if (acceptor.joinable()) {
      const std::uint64_t one = 1;
      [[maybe_unused]] ssize_t n = ::write(stop_fd, &one, sizeof one);
      acceptor.join();
    }
    if (listen_fd >= 0) ::close(listen_fd);
    listen_fd = -1;
    for (Running& running : connections) running.connection->Stop();
    for (Running& running : connections) running.thread.join();
    // Handlers reference the handler (and through it the simulator): they
    // finish before either goes away.
    std::size_t handler_threads = 0;
    if (pool) {
      handler_threads = pool->threads();
      pool->Stop();
    }
    connections.clear();
    // How the clients used the server: the measure of multiplexing.
    if (requests.load() > 0) {
      std::fprintf(stderr, "crmsync-sim: http2: served %llu requests over %llu connections; %zu handler threads\n",
                   static_cast<unsigned long long>(requests.load()),
                   static_cast<unsigned long long>(accepted.load()), handler_threads);
    }
    if (stop_fd >= 0) ::close(stop_fd);
    stop_fd = -1;
  }
};

H2Server::H2Server(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  try {
    impl_->Start();
  } catch (...) {
    impl_->Stop();
    throw;
  }
}

H2Server::~H2Server() { impl_->Stop(); }

std::uint16_t H2Server::port() const { return impl_->port; }

std::uint64_t H2Server::requests_on_resumed_tls() const {
  return impl_->resumed_requests.load(std::memory_order_relaxed);
}

std::string H2Server::origin() const {
  return fmt::format("https://{}:{}", OriginHost(impl_->options.host), impl_->port);
}

std::uint64_t H2Server::connections_accepted() const { return impl_->accepted.load(std::memory_order_relaxed); }

std::uint64_t H2Server::requests_served() const { return impl_->requests.load(std::memory_order_relaxed); }

}  // namespace crmsync::sim
