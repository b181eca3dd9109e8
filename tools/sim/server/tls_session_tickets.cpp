#include "tls_session_tickets.hpp"

#include <gnutls/gnutls.h>

namespace crmsync::sim {

struct SessionTickets::Key {
  gnutls_datum_t datum{nullptr, 0};
  ~Key() {
    if (datum.data != nullptr) {
      gnutls_memset(datum.data, 0, datum.size);
      gnutls_free(datum.data);
    }
  }
};

std::unique_ptr<SessionTickets> SessionTickets::Create() {
  std::unique_ptr<SessionTickets> tickets(new SessionTickets);
  tickets->key_ = std::make_unique<Key>();
  if (gnutls_session_ticket_key_generate(&tickets->key_->datum) != GNUTLS_E_SUCCESS) return nullptr;
  return tickets;
}

SessionTickets::~SessionTickets() = default;

bool SessionTickets::Enable(void* gnutls_session) const {
  if (gnutls_session == nullptr) return false;
  return gnutls_session_ticket_enable_server(static_cast<gnutls_session_t>(gnutls_session), &key_->datum) ==
         GNUTLS_E_SUCCESS;
}

}  // namespace crmsync::sim
