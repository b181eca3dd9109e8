// TLS session resumption for the simulator's HTTPS server. The real services
// (Microsoft's and Google's front doors, Salesforce) issue session tickets, so
// a client's later connections skip the certificate exchange and its
// verification; libmicrohttpd never enables them on its GnuTLS sessions, which
// made every simulated connection a full handshake.
#pragma once

#include <memory>

namespace crmsync::sim {

class SessionTickets {
 public:
  // A fresh ticket-encryption key for the life of the server.
  static std::unique_ptr<SessionTickets> Create();
  ~SessionTickets();
  SessionTickets(const SessionTickets&) = delete;
  SessionTickets& operator=(const SessionTickets&) = delete;

  // Enables tickets on a GnuTLS server session (gnutls_session_t) before its
  // handshake. False when GnuTLS refuses: the connection then simply does a
  // full handshake.
  bool Enable(void* gnutls_session) const;

 private:
  SessionTickets() = default;
  struct Key;
  std::unique_ptr<Key> key_;
};

}  // namespace crmsync::sim
