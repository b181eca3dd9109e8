// users.getProfile of "me": whose mailbox a user's own OAuth grant opens.
#include <future>

#include "crmsync/gmail/gmail.hpp"
#include "crmsync/gmail/mail_source.hpp"
#include "gmail_caller.hpp"
#include "json_support.hpp"

namespace crmsync::gmail {

Result<std::string> GmailProfileAddress(http::Transport& transport, const std::string& api_url,
                                        const std::string& ca_file, std::chrono::milliseconds timeout,
                                        auth::TokenProvider& tokens) {
  GmailSourceOptions options;
  options.api_url = api_url;
  options.ca_file = ca_file;
  options.timeout = timeout;
  options.user_tokens = [&tokens](const std::string&) { return &tokens; };
  detail::GmailCaller caller(transport, options);
  detail::CallSpec spec;
  spec.subject = "me";
  spec.units = 1;
  spec.url = ProfileUrl(api_url, "me");
  spec.kind = "profile";
  std::promise<Result<http::Response>> answered;
  auto answer = answered.get_future();
  caller.Call(std::move(spec), [&answered](Result<http::Response> r) { answered.set_value(std::move(r)); });
  Result<http::Response> response = answer.get();
  if (!response.ok()) return response.status();
  std::string address;
  Status s = detail::ForEachTopLevelFieldNested(response->body, [&](std::string_view key, simdjson::ondemand::value& v) {
    if (key == "emailAddress") return detail::ReadString(v, address);
    return Status::Ok();
  });
  if (!s.ok()) return Status::Corruption("Gmail users.getProfile: " + s.message());
  if (address.empty()) return Status::Corruption("Gmail users.getProfile: emailAddress: missing");
  return address;
}

}  // namespace crmsync::gmail
