// Connector-neutral records produced by the parse stage.
#pragma once

#include <string>
#include <vector>

namespace crmsync {

struct Participant {
  std::string address;  // as the remote system gave it; classify lower-cases
  std::string name;
};

// One email as seen in one mailbox. Only the fields the engine needs.
struct Message {
  std::string source_id;            // connector's id of this copy (Graph id)
  std::string internet_message_id;  // raw RFC 2822 Message-ID, brackets included
  std::string subject;
  std::string body_text;
  std::string sent_at;              // ISO-8601 UTC, e.g. 2026-05-01T10:00:00Z
  Participant from;
  std::vector<Participant> to;
  std::vector<Participant> cc;
  std::vector<Participant> bcc;
  std::vector<std::string> categories;   // Outlook categories
  std::vector<std::string> labels;       // Gmail label names (system labels as their ids: INBOX, SENT)
  std::string folder;                    // display name of the folder this copy sits in, when known
  // Raw header facts for the bulk / automatic-reply rules; the engine decides.
  std::string auto_submitted;            // Auto-Submitted value ("" when absent)
  std::string precedence;                // Precedence value ("" when absent)
  bool has_list_unsubscribe = false;     // a List-Unsubscribe header is present
  bool is_auto_reply = false;            // the mail system marked it an automatic reply
  bool is_draft = false;
  bool removed = false;             // delta tombstone (@removed): nothing to capture
};

}  // namespace crmsync
