// libmicrohttpd glue. One thread per connection, so a handler that sleeps to
// simulate latency delays only its own client.
#include "http_server.hpp"

#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <stdexcept>
#include <utility>

#include <fmt/core.h>

#include "body_buffer.hpp"
#include "handler_call.hpp"
#include "listen_socket.hpp"
#include "tls_session_tickets.hpp"

namespace crmsync::sim {
namespace {

// Bursts of thousands of connects during benchmarks overflow the default 32.
constexpr unsigned kListenBacklog = 1024;

// Lives from the request line (URI log callback) to the completion notice.
struct RequestState {
  std::string raw_query;
  bool has_raw_query = false;
  bool started = false;     // first access-handler call (headers only) seen
  bool too_large = false;   // body exceeded the cap; the rest is discarded
  std::string body;
};

bool EqualsNoCase(const std::string& a, const char* b) { return Lower(a) == b; }

// A body served piecewise: the first `cut` bytes of `body` padded with
// blanks, then an error that makes MHD close the connection early.
struct PartialBody {
  std::string body;
  std::uint64_t cut = 0;
  static ssize_t Read(void* cls, std::uint64_t pos, char* buf, size_t max) {
    auto* self = static_cast<PartialBody*>(cls);
    if (pos >= self->cut) return MHD_CONTENT_READER_END_WITH_ERROR;
    const std::uint64_t n = std::min<std::uint64_t>(max, self->cut - pos);
    for (std::uint64_t i = 0; i < n; ++i) {
      buf[i] = pos + i < self->body.size() ? self->body[pos + i] : ' ';
    }
    return static_cast<ssize_t>(n);
  }
  static void Free(void* cls) { delete static_cast<PartialBody*>(cls); }
};

MHD_Response* CreateFaultyResponse(HttpResponse& response) {
  auto* partial = new (std::nothrow) PartialBody;
  if (partial == nullptr) return nullptr;
  std::uint64_t declared = std::max<std::uint64_t>(response.body.size(), response.declared_bytes);
  partial->cut = response.cut_after ? std::min<std::uint64_t>(*response.cut_after, declared) : declared;
  partial->body = std::move(response.body);
  MHD_Response* r = MHD_create_response_from_callback(declared, 64 * 1024, &PartialBody::Read, partial,
                                                      &PartialBody::Free);
  if (r == nullptr) delete partial;
  return r;
}

MHD_Result Send(MHD_Connection* connection, HttpResponse response) {
  if (response.drop) return MHD_NO;   // MHD closes the connection unanswered
  MHD_Response* r = nullptr;
  if (response.cut_after || response.declared_bytes > response.body.size()) {
    r = CreateFaultyResponse(response);
    if (r == nullptr) return MHD_NO;
  } else {
    auto* body = new (std::nothrow) std::string(std::move(response.body));
    if (body == nullptr) return MHD_NO;
    r = MHD_create_response_from_buffer_with_free_callback_cls(
        body->size(), body->data(),
        [](void* p) {
          auto* sent = static_cast<std::string*>(p);
          KeepBodyBuffer(std::move(*sent));
          delete sent;
        },
        body);
    if (r == nullptr) {
      delete body;
      return MHD_NO;
    }
  }
  bool has_content_type = false;
  for (const auto& [name, value] : response.headers) {
    // MHD frames the body itself; a handler's own framing would contradict it.
    if (EqualsNoCase(name, "content-length") || EqualsNoCase(name, "transfer-encoding")) continue;
    if (EqualsNoCase(name, "content-type")) has_content_type = true;
    MHD_add_response_header(r, name.c_str(), value.c_str());
  }
  if (!has_content_type) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
  int status = response.status;
  if (status < 100 || status > 599) status = MHD_HTTP_INTERNAL_SERVER_ERROR;
  MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(status), r);
  MHD_destroy_response(r);
  return queued;
}

MHD_Result CollectHeader(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(cls);
  std::string name = Lower(key);
  std::string v = value == nullptr ? std::string() : std::string(value);
  auto [it, inserted] = headers->emplace(std::move(name), v);
  // Repeated fields are equivalent to one comma-separated field (RFC 9110 5.3).
  if (!inserted) it->second += ", " + v;
  return MHD_YES;
}

MHD_Result CollectArgument(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* query = static_cast<std::multimap<std::string, std::string>*>(cls);
  query->emplace(key, value == nullptr ? "" : value);
  return MHD_YES;
}

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  Handler handler;
  MHD_Daemon* daemon = nullptr;
  std::uint16_t port = 0;
  sockaddr_storage address{};
  std::mutex log_mutex;
  bool starting = false;
  std::string start_log;   // MHD's complaints while starting, quoted on failure
  std::unique_ptr<SessionTickets> tickets;   // HTTPS only; null: full handshakes
  std::atomic<std::uint64_t> resumed_requests{0};

  void CountResumed(MHD_Connection* connection) {
    if (!tickets) return;
    const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (info != nullptr && info->tls_session != nullptr &&
        gnutls_session_is_resumed(static_cast<gnutls_session_t>(info->tls_session)) != 0) {
      resumed_requests.fetch_add(1, std::memory_order_relaxed);
    }
  }

  // Runs before the connection's thread starts its handshake.
  static void OnConnection(void* cls, MHD_Connection* connection, void**, MHD_ConnectionNotificationCode code) {
    auto* self = static_cast<Impl*>(cls);
    if (code != MHD_CONNECTION_NOTIFY_STARTED || !self->tickets) return;
    const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (info != nullptr) self->tickets->Enable(info->tls_session);
  }

  static void* OnUri(void*, const char* uri, MHD_Connection*) {
    auto* state = new (std::nothrow) RequestState;
    if (state != nullptr && uri != nullptr) {
      // MHD strips and decodes the query before the access handler sees it;
      // signature checks and nextLink round trips need it exactly as sent.
      if (const char* q = std::strchr(uri, '?')) {
        try {
          state->raw_query.assign(q + 1);
        } catch (...) {
          delete state;
          return nullptr;
        }
      }
      state->has_raw_query = true;
    }
    return state;
  }

  static void OnCompleted(void*, MHD_Connection*, void** con_cls, MHD_RequestTerminationCode) {
    delete static_cast<RequestState*>(*con_cls);
    *con_cls = nullptr;
  }

  static void OnLog(void* cls, const char* format, va_list ap) {
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    std::size_t n = std::strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    std::fprintf(stderr, "crmsync-sim: http: %s\n", line);
    auto* self = static_cast<Impl*>(cls);
    std::lock_guard lock(self->log_mutex);
    if (self->starting) {
      if (!self->start_log.empty()) self->start_log += "; ";
      self->start_log.append(line, n);
    }
  }

  static MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url,
                              const char* method, const char*, const char* upload_data,
                              size_t* upload_data_size, void** con_cls) {
    try {
      auto* self = static_cast<Impl*>(cls);
      auto* state = static_cast<RequestState*>(*con_cls);
      if (state == nullptr) {   // the URI callback could not allocate
        state = new RequestState;
        *con_cls = state;
      }
      if (!state->started) {
        state->started = true;
        self->CountResumed(connection);
        // Answering before the body arrives spares a client that sent
        // "Expect: 100-continue" from uploading what we would refuse.
        const char* length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length != nullptr) {
          unsigned long long declared = 0;
          auto end = length + std::strlen(length);
          auto [ptr, ec] = std::from_chars(length, end, declared);
          if (ec == std::errc::result_out_of_range || (ec == std::errc() && declared > kMaxBodyBytes)) {
            return Send(connection, TooLargeResponse());
          }
          if (ec == std::errc() && declared > 0) {
            // The whole body in one buffer of this thread's (upserts are
            // ~300 KB: grown by doubling, each was copied 3-4 times), with
            // room for a parser's read-ahead.
            state->body = TakeBodyBuffer();
            state->body.reserve(static_cast<std::size_t>(declared) + kBodyReadAhead);
          }
        }
        return MHD_YES;
      }
      if (*upload_data_size != 0) {
        if (!state->too_large) {
          if (state->body.size() + *upload_data_size > kMaxBodyBytes) {
            state->too_large = true;
            std::string().swap(state->body);
          } else {
            state->body.append(upload_data, *upload_data_size);
          }
        }
        *upload_data_size = 0;
        return MHD_YES;
      }
      if (state->too_large) return Send(connection, TooLargeResponse());

      HttpRequest request;
      request.method = method;
      request.path = url;
      MHD_get_connection_values(connection, MHD_HEADER_KIND, &CollectHeader, &request.headers);
      MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &CollectArgument, &request.query);
      if (state->has_raw_query) {
        request.raw_query = std::move(state->raw_query);
      } else {
        // Only when allocation failed earlier: a decoded approximation.
        for (const auto& [key, value] : request.query) {
          if (!request.raw_query.empty()) request.raw_query += '&';
          request.raw_query += key + "=" + value;
        }
      }
      request.body = std::move(state->body);
      const MHD_Result sent = Send(connection, self->Call(request));
      KeepBodyBuffer(std::move(request.body));
      return sent;
    } catch (...) {
      // Out of memory while building the request: drop the connection.
      return MHD_NO;
    }
  }

  HttpResponse Call(const HttpRequest& request) { return CallHandler(handler, request); }

  void ResolveAddress() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    int rc = getaddrinfo(options.host.c_str(), nullptr, &hints, &found);
    if (rc != 0 || found == nullptr) {
      throw std::runtime_error(fmt::format("crmsync-sim: cannot resolve listen host '{}': {}",
                                           options.host, gai_strerror(rc)));
    }
    std::memcpy(&address, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    if (address.ss_family == AF_INET6) {
      reinterpret_cast<sockaddr_in6*>(&address)->sin6_port = htons(options.port);
    } else {
      reinterpret_cast<sockaddr_in*>(&address)->sin_port = htons(options.port);
    }
  }

  void Start() {
    if (options.tls && (options.identity.cert_pem.empty() || options.identity.key_pem.empty())) {
      throw std::runtime_error(fmt::format(
          "crmsync-sim: cannot listen on {}:{}: TLS requested without a certificate and key",
          options.host, options.port));
    }
    ResolveAddress();
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG;
    if (options.tls) {
      flags |= MHD_USE_TLS;
      tickets = SessionTickets::Create();
    }
    if (address.ss_family == AF_INET6) flags |= MHD_USE_IPv6;

    MHD_OptionItem tls_options[] = {
        {MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(options.identity.key_pem.c_str())},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(options.identity.cert_pem.c_str())},
        {MHD_OPTION_END, 0, nullptr},
    };
    if (!options.tls) tls_options[0].option = MHD_OPTION_END;

    {
      std::lock_guard lock(log_mutex);
      starting = true;
    }
    daemon = MHD_start_daemon(
        flags, options.port, nullptr, nullptr, &OnRequest, this,
        // The logger first, or MHD reports the options before it elsewhere.
        MHD_OPTION_EXTERNAL_LOGGER, &OnLog, static_cast<void*>(this),
        MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&address),
        MHD_OPTION_URI_LOG_CALLBACK, &OnUri, static_cast<void*>(nullptr),
        MHD_OPTION_NOTIFY_COMPLETED, &OnCompleted, static_cast<void*>(nullptr),
        MHD_OPTION_NOTIFY_CONNECTION, &OnConnection, static_cast<void*>(this),
        MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned int>(options.max_connections),
        MHD_OPTION_LISTEN_BACKLOG_SIZE, kListenBacklog,
        MHD_OPTION_ARRAY, tls_options,
        MHD_OPTION_END);
    std::string detail;
    {
      std::lock_guard lock(log_mutex);
      starting = false;
      detail = start_log.empty() ? "address in use or TLS identity rejected" : std::move(start_log);
    }
    if (daemon == nullptr) {
      throw std::runtime_error(
          fmt::format("crmsync-sim: cannot listen on {}:{}: {}", options.host, options.port, detail));
    }
    const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    port = info != nullptr && info->port != 0 ? info->port : options.port;
  }
};

HttpServer::HttpServer(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  impl_->Start();
}

HttpServer::~HttpServer() {
  // Closes the listener, shuts down open connections and joins their threads;
  // a handler still running finishes first.
  if (impl_ && impl_->daemon != nullptr) MHD_stop_daemon(impl_->daemon);
}

std::uint16_t HttpServer::port() const { return impl_->port; }

std::uint64_t HttpServer::requests_on_resumed_tls() const {
  return impl_->resumed_requests.load(std::memory_order_relaxed);
}

std::string HttpServer::origin() const {
  return fmt::format("{}://{}:{}", impl_->options.tls ? "https" : "http",
                     OriginHost(impl_->options.host), impl_->port);
}

}  // namespace crmsync::sim
