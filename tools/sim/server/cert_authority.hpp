// A private certificate authority for the simulator's HTTPS (OpenSSL).
#pragma once

#include <string>
#include <vector>

#include "http_server.hpp"

namespace crmsync::sim {

class CertificateAuthority {
 public:
  // Loads DIR/ca.pem and DIR/ca.key when both exist, otherwise creates a new
  // CA (EC P-256, valid 10 years) and writes them there (key mode 0600).
  // Throws std::runtime_error naming the file on failure.
  static CertificateAuthority LoadOrCreate(const std::string& dir);

  // PEM of the CA certificate and the path it was written to (DIR/ca.pem).
  const std::string& ca_cert_pem() const { return ca_cert_pem_; }
  const std::string& ca_cert_path() const { return ca_cert_path_; }

  // A leaf certificate for `hosts` (IP addresses become IP SANs, names DNS
  // SANs), signed by this CA. With `expired`, its validity ended yesterday.
  TlsIdentity IssueLeaf(const std::vector<std::string>& hosts, bool expired = false) const;

 private:
  std::string ca_cert_pem_;
  std::string ca_key_pem_;
  std::string ca_cert_path_;
};

}  // namespace crmsync::sim
