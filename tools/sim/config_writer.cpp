#include "config_writer.hpp"
#include "google_oauth_client.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/core.h>

#include "json_escape.hpp"

namespace crmsync::sim {
namespace {

// TOML basic strings accept the JSON escapes JsonEscape emits (\" \\ \n \r \t \uXXXX).
std::string Quoted(const std::string& value) { return "\"" + JsonEscape(value) + "\""; }

}  // namespace

std::string KeyFilePath(const ConfigTarget& target, const Tenant& tenant) {
  std::string dir = target.key_dir.empty() ? "." : target.key_dir;
  if (dir.back() != '/') dir += '/';
  return dir + tenant.id + "-service-account.json";
}

namespace {

// Per-user consent lists its users: each connects their own mailbox.
std::string ListedUsersToml(const Tenant& t) {
  std::string list;
  for (const MailUser& u : t.users) list += (list.empty() ? "" : ", ") + Quoted(u.primary);
  return fmt::format("[tenants.users]\nsource = \"listed\"\nlist = [{}]\n", list);
}

}  // namespace

std::string RenderConfig(const Corpus& corpus, const ConfigTarget& target) {
  std::string out =
      "# written by crmsync-sim: a configuration pointing at this simulator\n"
      "[engine]\n"
      "# (nothing required here)\n";
  for (const Tenant& t : corpus.tenants()) {
    std::string domains;
    for (const auto& d : t.domains) domains += (domains.empty() ? "" : ", ") + Quoted(d);
    out += fmt::format("\n[[tenants]]\nid = {}\ndomains = [{}]\n", Quoted(t.id), domains);
    if (target.per_user_authorization) out += "authorization = \"per_user\"\n";
    if (t.provider == Provider::kGmail) {
      out += "[tenants.google]\n";
      if (target.delegated_mail) {
        out += "access = \"oauth_user\"   # each user's own consent: crmsync connect mailbox --tenant T --user U\n";
        out += fmt::format("client_id = {}\nclient_secret = {}\n", Quoted(GoogleOAuthClientId(t)),
                           Quoted(GoogleOAuthClientSecret(t)));
        out += fmt::format("auth_url = {}\ntoken_url = {}\n", Quoted(target.origin + kGoogleAuthorizePath),
                           Quoted(target.origin + "/token"));
      } else {
        out += fmt::format("key_file = {}\nadmin_email = {}\n", Quoted(KeyFilePath(target, t)),
                           Quoted(t.users.front().primary));
      }
      out += fmt::format("api_url = {}   # Gmail API root: {{api_url}}/gmail/v1/..., batch {{api_url}}/batch/gmail/v1\n",
                         Quoted(target.origin));
      out += fmt::format("directory_url = {}   # Directory API root: {{directory_url}}/admin/directory/v1/...\n",
                         Quoted(target.origin));
      if (!target.ca_file.empty()) out += fmt::format("ca_file = {}\n", Quoted(target.ca_file));
      if (target.delegated_mail) out += ListedUsersToml(t);
    } else if (t.provider == Provider::kEws) {
      out += "[tenants.exchange]\n";
      out += fmt::format("tenant_id = {}\nclient_id = {}\nclient_secret = {}\n", Quoted(t.ms_tenant_id),
                         Quoted(t.ms_client_id), Quoted(t.ms_client_secret));
      out += fmt::format("login_url = {}   # token endpoint: {{login_url}}/{{tenant_id}}/oauth2/v2.0/token\n",
                         Quoted(target.origin));
      out += fmt::format("ews_url = {}\n", Quoted(target.origin + "/EWS/Exchange.asmx"));
      out += fmt::format("graph_url = {}   # users: {{graph_url}}/v1.0/users\n", Quoted(target.origin));
      if (!target.ca_file.empty()) out += fmt::format("ca_file = {}\n", Quoted(target.ca_file));
    } else {
      out += "[tenants.microsoft]\n";
      out += fmt::format("tenant_id = {}\nclient_id = {}\nclient_secret = {}\n", Quoted(t.ms_tenant_id),
                         Quoted(t.ms_client_id), Quoted(t.ms_client_secret));
      out += fmt::format("login_url = {}   # token endpoint: {{login_url}}/{{tenant_id}}/oauth2/v2.0/token\n",
                         Quoted(target.origin));
      out += fmt::format("graph_url = {}   # Graph API root: {{graph_url}}/v1.0/...\n", Quoted(target.origin));
      if (!target.ca_file.empty()) out += fmt::format("ca_file = {}\n", Quoted(target.ca_file));
      if (target.delegated_mail) {
        out += "access = \"delegated\"   # each user's own consent: crmsync connect mailbox --tenant T --user U\n";
        out += ListedUsersToml(t);
      }
    }
    out += "[tenants.salesforce]\n";
    out += "allow_loopback = true   # test only: the simulator's loopback host stands in for Salesforce\n";
    out += fmt::format("login_url = {}   # token endpoint: {{login_url}}/services/oauth2/token\n", Quoted(target.origin));
    out += fmt::format("client_id = {}\nclient_secret = {}\napi_version = {}\n", Quoted(t.sf_client_id),
                       Quoted(t.sf_client_secret), Quoted(target.api_version));
    if (!target.per_user_authorization) out += fmt::format("refresh_token = {}\n", Quoted(t.sf_refresh_token));
    if (!target.ca_file.empty()) out += fmt::format("ca_file = {}\n", Quoted(target.ca_file));
    if (!target.object_model.empty()) out += fmt::format("object_model = {}\n", Quoted(target.object_model));
    out += CaptureTableToml(t, corpus.options().capture);
  }
  return out;
}

Status WriteFileAtomically(const std::string& path, const std::string& content, unsigned mode) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::Io(fmt::format("cannot create {}: {}", tmp, std::strerror(errno)));
  ::fchmod(fd, mode);
  std::size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::Io(fmt::format("cannot write {}: {}", tmp, std::strerror(err)));
    }
    written += static_cast<std::size_t>(n);
  }
  bool synced = ::fsync(fd) == 0;
  int sync_err = errno;
  bool closed = ::close(fd) == 0;
  if (!synced || !closed) {
    ::unlink(tmp.c_str());
    return Status::Io(fmt::format("cannot flush {}: {}", tmp, std::strerror(synced ? errno : sync_err)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::Io(fmt::format("cannot rename {} to {}: {}", tmp, path, std::strerror(err)));
  }
  return Status::Ok();
}

}  // namespace crmsync::sim
