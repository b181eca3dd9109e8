// Microsoft Graph as a crmsync::MailSource: users from /users, and for each
// user two streams, Inbox and Sent Items, read with mail delta. Cursors are
// Graph's own absolute nextLink / deltaLink URLs.
#pragma once

#include <memory>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/core/mail_source.hpp"
#include "crmsync/graph/client.hpp"

namespace crmsync::graph {

class GraphMailSource final : public MailSource {
 public:
  // `tokens` (the application's client-credentials provider) must outlive the source.
  GraphMailSource(http::Transport& transport, auth::TokenProvider& tokens, GraphClientOptions options);

  Result<std::vector<MailUser>> ListUsers() override;
  Result<std::vector<std::string>> ListGroupMembers(const std::string& group) override;
  std::vector<std::string> StreamKinds() const override;
  std::string InitialCursor(const MailUser& user, const std::string& stream) const override;
  void FetchPage(const MailUser& user, const std::string& stream, const std::string& cursor,
                 std::function<void(Result<RawPage>)> done) override;
  Result<MailPage> ParsePage(RawPage&& raw) const override;
  MailSourceStats Stats() const override;

 private:
  auth::TokenProvider& tokens_;
  GraphClient client_;
};

}  // namespace crmsync::graph
