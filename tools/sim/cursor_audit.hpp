// POST /_sim/cursor_keys: which messages a saved Graph or Gmail cursor has passed.
//
// The crash tests (tools/crashtest) read the cursors an engine stored in its
// state after a SIGKILL and ask the simulator, for each, the dedup keys of
// every message that lies before that position in its mailbox folder and that
// this folder's copy must capture (ground truth). Each such key must be in the
// engine's ledger (or quarantine): a cursor ahead of a message missing from the
// ledger means a message was skipped for good.
//
// Request body: the stored cursor, i.e. a Graph nextLink or deltaLink URL (or
// its bare $skiptoken / $deltatoken value). Answer:
//   {"checkable":true,"tenant":"tenant-1","user":3,"folder":"inbox","position":"skip","keys":["..."]}
// {"checkable":false,"reason":"..."} when the text holds no Graph delta token
// this simulator issued (an EWS cursor, a forged token).
//
// Gmail cursors do not name their mailbox, so they come as JSON:
//   {"tenant":"tenant-1","user":"<primary address or Directory id>","cursor":"history:<id>"}
// A history cursor has passed every message of the mailbox up to that
// history id; "list:" / "window:" cursors (mid-listing) are not checkable.
#pragma once

#include "corpus.hpp"
#include "http_server.hpp"

namespace crmsync::sim {

HttpResponse CursorKeys(const Corpus& corpus, const HttpRequest& request);

}  // namespace crmsync::sim
