// How a failed libcurl transfer is reported: a TransportError category and a
// message that names the peer and the reason, never the path, query or headers.
#pragma once

#include <curl/curl.h>

#include <string>
#include <string_view>

#include "crmsync/http/transport.hpp"

namespace crmsync::http {

TransportError ClassifyCurlCode(CURLcode code);

// ClassifyCurlCode, refined by curl's error buffer: a TLS handshake the peer
// closed or reset is kReset (retried), not kTls.
TransportError ClassifyCurlFailure(CURLcode code, const char* error_buffer);

// "<host:port>: <reason>", the reason being curl's error buffer when it has
// one (more precise: "SSL certificate problem: certificate has expired"),
// else curl_easy_strerror(code).
std::string DescribeCurlFailure(std::string_view url, CURLcode code, const char* error_buffer);

}  // namespace crmsync::http
