// One HTTP/2 stream on the server: the request as it arrives, then the
// response as nghttp2 pulls its body out frame by frame.
#pragma once

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <optional>
#include <string>

#include "server.hpp"

namespace crmsync::sim {

struct H2Stream {
  HttpRequest request;           // :path kept whole in `target` until dispatch
  std::string target;            // :path as sent: /v1.0/users?$top=5
  std::optional<std::uint64_t> content_length;
  bool too_large = false;        // body over kMaxBodyBytes: discarded, 413
  bool answered = false;         // response (or RST_STREAM) submitted
  bool head = false;             // HEAD: headers only

  // The response body source: `response.body` padded with blanks up to
  // `declared` bytes, of which the first `send_limit` are sent; when `cut`,
  // the stream is then reset instead of ended.
  HttpResponse response;
  std::uint64_t declared = 0;
  std::uint64_t send_limit = 0;
  std::uint64_t sent = 0;
  bool cut = false;

  // nghttp2_data_source_read_callback with source->ptr = the H2Stream.
  static ssize_t ReadBody(nghttp2_session* session, std::int32_t stream_id, std::uint8_t* buffer,
                          std::size_t length, std::uint32_t* flags, nghttp2_data_source* source,
                          void* user_data);
};

}  // namespace crmsync::sim
