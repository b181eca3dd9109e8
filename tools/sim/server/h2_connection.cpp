#include "h2_connection.hpp"

#include <openssl/err.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <string_view>
#include <utility>
#include <vector>

#include "body_buffer.hpp"
#include "handler_call.hpp"
#include "url_decoding.hpp"
#include "worker_pool.hpp"

namespace crmsync::sim {
namespace {

// Pages of a few MB stream to the client, and upserts of a few MB arrive,
// without stalling on WINDOW_UPDATE round trips.
constexpr std::int32_t kWindowBytes = 16 << 20;
// TLS output gathered per SSL_write: four full TLS records.
constexpr std::size_t kOutputChunk = 64 * 1024;
constexpr std::size_t kInputChunk = 64 * 1024;
constexpr auto kGoawayGrace = std::chrono::seconds(2);

std::string_view View(const std::uint8_t* data, std::size_t length) {
  return {reinterpret_cast<const char*>(data), length};
}

// Framing belongs to HTTP/2 itself (RFC 9113 8.2.2): these must not appear.
bool IsHopByHop(const std::string& lower_name) {
  return lower_name == "connection" || lower_name == "keep-alive" || lower_name == "transfer-encoding" ||
         lower_name == "upgrade" || lower_name == "proxy-connection" || lower_name == "content-length";
}

H2Connection* Self(void* user_data) { return static_cast<H2Connection*>(user_data); }

H2Stream* StreamOf(nghttp2_session* session, std::int32_t stream_id) {
  return static_cast<H2Stream*>(nghttp2_session_get_stream_user_data(session, stream_id));
}

}  // namespace

H2Connection::H2Connection(int fd, SSL* ssl, H2ConnectionContext context)
    : fd_(fd), ssl_(ssl), wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)), context_(context) {}

H2Connection::~H2Connection() {
  nghttp2_session_del(session_);
  SSL_free(ssl_);
  ::close(fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void H2Connection::Run() {
  if (wake_fd_ >= 0 && Handshake() && StartSession()) {
    Loop();
    // close_notify: OpenSSL 3 clients take a bare EOF for a truncation
    // attack and report an error instead of a closed connection.
    if (!tls_failed_) SSL_shutdown(ssl_);
  }
  // Streams die with the session; late completions find no stream.
  nghttp2_session_del(session_);
  session_ = nullptr;
  streams_.clear();
  finished_.store(true, std::memory_order_release);
}

void H2Connection::Stop() {
  stop_requested_.store(true, std::memory_order_release);
  Wake();
}

void H2Connection::Wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

bool H2Connection::Handshake() {
  while (!stop_requested_.load(std::memory_order_acquire)) {
    ERR_clear_error();
    const int rc = SSL_do_handshake(ssl_);
    if (rc == 1) {
      resumed_ = SSL_session_reused(ssl_) == 1;
      return true;
    }
    const int error = SSL_get_error(ssl_, rc);
    short events = 0;
    if (error == SSL_ERROR_WANT_READ) events = POLLIN;
    if (error == SSL_ERROR_WANT_WRITE) events = POLLOUT;
    // Anything else: refused (no h2, the alert is sent) or broken off.
    if (events == 0) return false;
    pollfd fds[2] = {{fd_, events, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return false;
  }
  return false;
}

bool H2Connection::StartSession() {
  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) return false;
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &OnBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &OnDataChunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &OnFrameReceived);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &OnStreamClose);
  const int created = nghttp2_session_server_new(&session_, callbacks, this);
  nghttp2_session_callbacks_del(callbacks);
  if (created != 0) return false;
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, context_.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<std::uint32_t>(kWindowBytes)},
  };
  return nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings)) == 0 &&
         nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kWindowBytes) == 0;
}

void H2Connection::Loop() {
  bool goaway_sent = false;
  std::chrono::steady_clock::time_point give_up{};
  while (true) {
    if (!goaway_sent && stop_requested_.load(std::memory_order_acquire)) {
      nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                            NGHTTP2_NO_ERROR, nullptr, 0);
      goaway_sent = true;
      give_up = std::chrono::steady_clock::now() + kGoawayGrace;
    }
    SubmitCompletions();
    if (!FlushOutput()) return;
    const bool idle = output_.size() == output_sent_;
    if (goaway_sent && idle) return;
    if (idle && nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0) return;

    int timeout_ms = -1;
    if (goaway_sent) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - std::chrono::steady_clock::now());
      if (left.count() <= 0) return;
      timeout_ms = static_cast<int>(left.count());
    }
    pollfd fds[2] = {{fd_, static_cast<short>(POLLIN | (want_pollout_ ? POLLOUT : 0)), 0}, {wake_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, timeout_ms);
    if (ready < 0 && errno != EINTR) return;
    if (fds[1].revents & POLLIN) {
      std::uint64_t count = 0;
      [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof count);
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !ReadInput()) return;
  }
}

bool H2Connection::ReadInput() {
  std::array<std::uint8_t, kInputChunk> buffer;
  while (true) {
    ERR_clear_error();
    const int n = SSL_read(ssl_, buffer.data(), static_cast<int>(buffer.size()));
    if (n > 0) {
      if (nghttp2_session_mem_recv(session_, buffer.data(), static_cast<std::size_t>(n)) < 0) return false;
      continue;
    }
    const int error = SSL_get_error(ssl_, n);
    if (error == SSL_ERROR_WANT_READ) return true;
    if (error == SSL_ERROR_WANT_WRITE) {
      want_pollout_ = true;
      return true;
    }
    // close_notify, EOF or a TLS error: the connection is over.
    tls_failed_ = error != SSL_ERROR_ZERO_RETURN;
    return false;
  }
}

bool H2Connection::FlushOutput() {
  want_pollout_ = false;
  while (true) {
    if (output_sent_ > 0) {
      output_.erase(0, output_sent_);
      output_sent_ = 0;
    }
    while (output_.size() < kOutputChunk) {
      const std::uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) return false;
      if (n == 0) break;
      output_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
    if (output_.empty()) return true;
    ERR_clear_error();
    const int n = SSL_write(ssl_, output_.data(), static_cast<int>(output_.size()));
    if (n > 0) {
      output_sent_ = static_cast<std::size_t>(n);
      continue;
    }
    const int error = SSL_get_error(ssl_, n);
    if (error == SSL_ERROR_WANT_WRITE) {
      want_pollout_ = true;
      return true;
    }
    if (error == SSL_ERROR_WANT_READ) return true;
    tls_failed_ = true;
    return false;
  }
}

void H2Connection::Complete(std::int32_t stream_id, HttpResponse response) {
  {
    std::lock_guard lock(completions_mutex_);
    completions_.push_back(Completion{stream_id, std::move(response)});
  }
  Wake();
}

void H2Connection::SubmitCompletions() {
  std::deque<Completion> ready;
  {
    std::lock_guard lock(completions_mutex_);
    ready.swap(completions_);
  }
  for (Completion& completion : ready) {
    H2Stream* stream = StreamOf(session_, completion.stream_id);
    // The client reset the stream while its handler ran.
    if (stream == nullptr || stream->answered) continue;
    Answer(completion.stream_id, *stream, std::move(completion.response));
  }
}

void H2Connection::RequestComplete(std::int32_t stream_id, H2Stream& stream) {
  if (stream.answered) return;
  if (stream.too_large) {
    Answer(stream_id, stream, TooLargeResponse());
    return;
  }
  Dispatch(stream_id, stream);
}

void H2Connection::Dispatch(std::int32_t stream_id, H2Stream& stream) {
  auto request = std::make_shared<HttpRequest>(std::move(stream.request));
  const std::string_view target = stream.target;
  const std::size_t question = target.find('?');
  request->path = PercentDecode(target.substr(0, question), false);
  if (question != std::string_view::npos) {
    request->raw_query = std::string(target.substr(question + 1));
    request->query = ParseQuery(request->raw_query);
  }
  stream.head = request->method == "HEAD";
  context_.requests->fetch_add(1, std::memory_order_relaxed);
  if (resumed_) context_.resumed_requests->fetch_add(1, std::memory_order_relaxed);
  context_.pool->Submit([self = shared_from_this(), stream_id, request] {
    HttpResponse response = CallHandler(*self->context_.handler, *request);
    KeepBodyBuffer(std::move(request->body));
    self->Complete(stream_id, std::move(response));
  });
}

void H2Connection::Answer(std::int32_t stream_id, H2Stream& stream, HttpResponse response) {
  stream.answered = true;
  if (response.drop) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_INTERNAL_ERROR);
    return;
  }
  stream.declared = std::max<std::uint64_t>(response.body.size(), response.declared_bytes);
  stream.cut = response.cut_after.has_value() && *response.cut_after < stream.declared;
  stream.send_limit = stream.cut ? *response.cut_after : stream.declared;
  stream.sent = 0;

  int status = response.status;
  if (status < 200 || status > 599) status = 500;   // 1xx cannot end an HTTP/2 response
  std::vector<std::pair<std::string, std::string>> fields;
  fields.reserve(response.headers.size() + 3);
  fields.emplace_back(":status", std::to_string(status));
  bool has_content_type = false;
  for (const auto& [name, value] : response.headers) {
    std::string lower = Lower(name);
    if (IsHopByHop(lower)) continue;
    if (lower == "content-type") has_content_type = true;
    fields.emplace_back(std::move(lower), value);
  }
  if (!has_content_type) fields.emplace_back("content-type", "application/json");
  fields.emplace_back("content-length", std::to_string(stream.declared));
  std::vector<nghttp2_nv> nv;
  nv.reserve(fields.size());
  for (auto& [name, value] : fields) {
    nv.push_back(nghttp2_nv{reinterpret_cast<std::uint8_t*>(name.data()),
                            reinterpret_cast<std::uint8_t*>(value.data()), name.size(), value.size(),
                            NGHTTP2_NV_FLAG_NONE});
  }
  stream.response = std::move(response);
  nghttp2_data_provider body{};
  body.source.ptr = &stream;
  body.read_callback = &H2Stream::ReadBody;
  const bool has_body = !stream.head && (stream.declared > 0 || stream.cut);
  if (nghttp2_submit_response(session_, stream_id, nv.data(), nv.size(), has_body ? &body : nullptr) != 0) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_INTERNAL_ERROR);
  }
}

int H2Connection::OnBeginHeaders(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  auto stream = std::make_unique<H2Stream>();
  nghttp2_session_set_stream_user_data(session, frame->hd.stream_id, stream.get());
  Self(user_data)->streams_[frame->hd.stream_id] = std::move(stream);
  return 0;
}

int H2Connection::OnHeader(nghttp2_session* session, const nghttp2_frame* frame, const std::uint8_t* name,
                           std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                           std::uint8_t, void*) {
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  H2Stream* stream = StreamOf(session, frame->hd.stream_id);
  if (stream == nullptr) return 0;
  const std::string_view key = View(name, name_length);
  const std::string_view text = View(value, value_length);
  HttpRequest& request = stream->request;
  if (key == ":method") {
    request.method = text;
  } else if (key == ":path") {
    stream->target = text;
  } else if (key == ":authority") {
    request.headers.insert_or_assign("host", std::string(text));
  } else if (!key.empty() && key[0] == ':') {
    // :scheme says https; nothing the handler needs.
  } else if (key == "host") {
    request.headers.emplace("host", std::string(text));   // :authority wins
  } else {
    if (key == "content-length") {
      std::uint64_t length = 0;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), length);
      if (error == std::errc::result_out_of_range || (error == std::errc() && length > kMaxBodyBytes)) {
        stream->too_large = true;
      } else if (error == std::errc()) {
        stream->content_length = length;
      }
    }
    // HTTP/2 names arrive lower-cased (nghttp2 rejects others). Repeated
    // fields are one comma-separated field (RFC 9110 5.3).
    auto [it, inserted] = request.headers.emplace(std::string(key), std::string(text));
    if (!inserted) {
      it->second += ", ";
      it->second += text;
    }
  }
  return 0;
}

int H2Connection::OnDataChunk(nghttp2_session* session, std::uint8_t, std::int32_t stream_id,
                              const std::uint8_t* data, std::size_t length, void*) {
  H2Stream* stream = StreamOf(session, stream_id);
  if (stream == nullptr || stream->too_large || stream->answered) return 0;
  std::string& body = stream->request.body;
  if (body.size() + length > kMaxBodyBytes) {
    stream->too_large = true;
    std::string().swap(body);
    return 0;
  }
  if (body.empty() && stream->content_length) {
    // The whole body in one buffer, with room for a parser's read-ahead.
    body = TakeBodyBuffer();
    body.reserve(static_cast<std::size_t>(*stream->content_length) + kBodyReadAhead);
  }
  body.append(reinterpret_cast<const char*>(data), length);
  return 0;
}

int H2Connection::OnFrameReceived(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
  if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
  H2Stream* stream = StreamOf(session, frame->hd.stream_id);
  if (stream == nullptr) return 0;
  H2Connection* self = Self(user_data);
  // Refused as soon as Content-Length says so, not after the upload. No
  // RST_STREAM(NO_ERROR) follows to stop the upload (RFC 9113 8.1 allows
  // it): libcurl 7.88 then reports a stream error instead of the 413.
  if (frame->hd.type == NGHTTP2_HEADERS && stream->too_large && !stream->answered) {
    self->Answer(frame->hd.stream_id, *stream, TooLargeResponse());
  }
  if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) self->RequestComplete(frame->hd.stream_id, *stream);
  return 0;
}

int H2Connection::OnStreamClose(nghttp2_session*, std::int32_t stream_id, std::uint32_t, void* user_data) {
  auto& streams = Self(user_data)->streams_;
  auto it = streams.find(stream_id);
  if (it == streams.end()) return 0;
  // The page just sent becomes this thread's buffer for the next request body.
  KeepBodyBuffer(std::move(it->second->response.body));
  streams.erase(it);
  return 0;
}

}  // namespace crmsync::sim
