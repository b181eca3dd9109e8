#include "h2_stream.hpp"

#include <algorithm>
#include <cstring>

namespace crmsync::sim {

ssize_t H2Stream::ReadBody(nghttp2_session*, std::int32_t, std::uint8_t* buffer, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source* source, void*) {
  auto* stream = static_cast<H2Stream*>(source->ptr);
  // nghttp2 answers this with RST_STREAM(INTERNAL_ERROR): the cut fault.
  if (stream->cut && stream->sent >= stream->send_limit) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  const std::uint64_t n = std::min<std::uint64_t>(length, stream->send_limit - stream->sent);
  const std::string& body = stream->response.body;
  const std::uint64_t from_body =
      stream->sent < body.size() ? std::min<std::uint64_t>(n, body.size() - stream->sent) : 0;
  if (from_body > 0) std::memcpy(buffer, body.data() + stream->sent, from_body);
  if (from_body < n) std::memset(buffer + from_body, ' ', n - from_body);
  stream->sent += n;
  if (!stream->cut && stream->sent >= stream->send_limit) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

}  // namespace crmsync::sim
