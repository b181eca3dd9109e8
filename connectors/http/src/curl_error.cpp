#include "curl_error.hpp"

#include <fmt/format.h>

#include "crmsync/http/url.hpp"

namespace crmsync::http {

TransportError ClassifyCurlCode(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return TransportError::kNone;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportError::kTimeout;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportError::kConnect;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return TransportError::kTls;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return TransportError::kReset;
    default:
      return TransportError::kOther;
  }
}

TransportError ClassifyCurlFailure(CURLcode code, const char* error_buffer) {
  // curl reports a handshake the server cut short (it closed or reset the
  // socket: an overloaded server, a connection limit) with the same code as a
  // handshake the peers could not agree on; only its text tells them apart.
  // The first is worth a retry, the second is a configuration error.
  if (code == CURLE_SSL_CONNECT_ERROR && error_buffer != nullptr) {
    const std::string_view text(error_buffer);
    if (text.find("SSL_ERROR_SYSCALL") != std::string_view::npos ||
        text.find("Connection reset") != std::string_view::npos ||
        text.find("unexpected eof") != std::string_view::npos) {
      return TransportError::kReset;
    }
  }
  return ClassifyCurlCode(code);
}

std::string DescribeCurlFailure(std::string_view url, CURLcode code, const char* error_buffer) {
  const bool has_detail = error_buffer != nullptr && error_buffer[0] != '\0';
  std::string_view reason = has_detail ? std::string_view(error_buffer) : curl_easy_strerror(code);
  // curl ends some error-buffer texts with a newline.
  while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r')) reason.remove_suffix(1);
  return fmt::format("{}: {}", HostPort(url), reason);
}

}  // namespace crmsync::http
