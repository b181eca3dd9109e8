// ParseServiceAccountKey: the downloaded JSON key file, checked field by field.
#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <simdjson.h>

#include <memory>

#include "crmsync/auth/service_account.hpp"
#include "service_account_pem.hpp"

namespace crmsync::auth {
namespace {

constexpr std::string_view kWhat = "service-account key file";

}  // namespace

namespace detail {

EvpKey ReadRsaPrivateKey(std::string_view pem) {
  if (pem.empty() || pem.size() > static_cast<std::size_t>(INT32_MAX)) return EvpKey(nullptr, EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                BIO_free);
  EvpKey key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr, EVP_PKEY_free);
  // OpenSSL's queued reasons may quote fragments of the input: never surface them.
  ERR_clear_error();
  if (key && EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) key.reset();
  return key;
}

}  // namespace detail

Result<ServiceAccountKey> ParseServiceAccountKey(std::string_view json) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS || doc.get_object().get(object) != simdjson::SUCCESS) {
    return Status::InvalidArgument(fmt::format("{}: not a JSON object", kWhat));
  }
  std::string type;
  ServiceAccountKey key;
  struct Field {
    std::string_view name;
    std::string* out;
  };
  const Field fields[] = {{"type", &type},
                          {"project_id", &key.project_id},
                          {"private_key_id", &key.private_key_id},
                          {"private_key", &key.private_key},
                          {"client_email", &key.client_email},
                          {"client_id", &key.client_id},
                          {"token_uri", &key.token_uri}};
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    std::string_view name;
    if (std::move(field_result).get(field) != simdjson::SUCCESS ||
        field.unescaped_key().get(name) != simdjson::SUCCESS) {
      return Status::InvalidArgument(fmt::format("{}: malformed JSON", kWhat));
    }
    for (const Field& wanted : fields) {
      if (name != wanted.name) continue;
      std::string_view text;
      if (field.value().get_string().get(text) != simdjson::SUCCESS) {
        return Status::InvalidArgument(fmt::format("{}: {} is not a string", kWhat, wanted.name));
      }
      wanted.out->assign(text);
    }
  }
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
    return Status::InvalidArgument(fmt::format("{}: malformed JSON (content after the object)", kWhat));
  }
  if (type.empty()) return Status::InvalidArgument(fmt::format("not a service-account key file: missing type"));
  if (type != "service_account") {
    return Status::InvalidArgument(fmt::format("not a service-account key file: type is '{}'", type));
  }
  for (const Field& wanted : fields) {
    if (wanted.out->empty()) return Status::InvalidArgument(fmt::format("{}: missing {}", kWhat, wanted.name));
  }
  if (!detail::ReadRsaPrivateKey(key.private_key)) {
    return Status::InvalidArgument(fmt::format("{}: private_key is not a valid PEM RSA key", kWhat));
  }
  return key;
}

}  // namespace crmsync::auth
