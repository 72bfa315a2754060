// Live interview sessions: one pad that the interviewer and the named candidate both type in,
// runs both see, the interviewer's private notes, and a timeline that replays the pad exactly.
//
// The pad follows CodeMirror's collab protocol (@codemirror/collab): the judge is the central
// authority that keeps the ordered list of changes and the version; a client pushes changes made
// against the version it has, the judge applies them when that is the current version (else the
// client gets the missing ones, rebases and pushes again) and sends every accepted change to
// every client. The judge applies each ChangeSet (JSON, positions in UTF-16 code units) to its
// own copy, so it always knows the text. No transport here: the HTTP door carries the frames
// over a WebSocket (PadLink); every frame is JSON.
//
// In a cluster a session is kept by the node that created it (its id ends in ".<node id>", as a
// submission's does); the other nodes forward every call about it to that node, the pad and the
// runs in it included, so any node serves any session.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "google/protobuf/struct.pb.h"
#include "judge/api/api_context.h"

namespace judge {

class Sessions;

// One client's link to a pad, from its hello to its close. Frames from the client go to
// Receive; frames to it go to the `send` given to Join (any thread, in order, never blocking;
// `last`: close the connection after this one).
class PadLink {
 public:
  ~PadLink();  // leaves the pad
  PadLink(const PadLink&) = delete;
  PadLink& operator=(const PadLink&) = delete;
  // A frame from the client. A malformed frame is answered with an "error" frame and dropped.
  void Receive(const std::string& frame);
  struct Pad;  // one session's pad (sessions.cc)

 private:
  friend class Sessions;
  PadLink() = default;
  Sessions* sessions_ = nullptr;
  std::shared_ptr<Pad> pad_;
  uint64_t client_ = 0;
  // A session another node of the cluster keeps: its pad is reached through that node.
  std::unique_ptr<Peers::PadPeer> peer_;
};

class Sessions {
 public:
  explicit Sessions(ApiContext* ctx) : ctx_(ctx) {}
  ~Sessions();

  absl::StatusOr<judge::v1::Session> Create(const Principal& who,
                                            const judge::v1::CreateSessionRequest& req);
  absl::StatusOr<judge::v1::Session> Get(const Principal& who, const std::string& id);
  absl::StatusOr<judge::v1::SessionTimeline> Timeline(const Principal& who, const std::string& id);
  absl::StatusOr<judge::v1::ListSessionsResponse> List(const Principal& who,
                                                       const judge::v1::ListSessionsRequest& req);
  // This node's own sessions.
  absl::StatusOr<judge::v1::ListSessionsResponse> ListHere(
      const Principal& who, const judge::v1::ListSessionsRequest& req);
  absl::StatusOr<judge::v1::Session> End(const Principal& who, const std::string& id);
  absl::StatusOr<judge::v1::Session> SetNotes(const Principal& who,
                                              const judge::v1::SetSessionNotesRequest& req);

  // Joins the pad after the client's hello: `version` < 0 for a fresh join (the "welcome" frame
  // carries the text), else the version the client has (it gets the changes since).
  absl::StatusOr<std::unique_ptr<PadLink>> Join(const Principal& who, const std::string& id,
                                                int64_t version,
                                                std::function<void(std::string, bool)> send);

  // Erases the candidate's sessions (store and memory); their pads are told they ended.
  absl::StatusOr<uint32_t> EraseCandidate(const std::string& candidate_id);

  // Runs: whether `who` may run code in session `id` (open, and `who` may join it); the run's
  // challenge is the session's.
  absl::Status CheckRun(const Principal& who, const std::string& id,
                        const std::string& challenge_id);
  // A run started in the session: its events go to every client of the pad (each as its role
  // may see them) and onto the timeline.
  void RunStarted(const Principal& who, const std::string& id, const judge::v1::Submission& run);

 private:
  friend class PadLink;
  using Pad = PadLink::Pad;
  class RunRelay;
  // The session, loaded and kept while judged runs; NOT_FOUND when `who` may not see it.
  absl::StatusOr<std::shared_ptr<Pad>> Open(const Principal& who, const std::string& id);
  judge::v1::Session ViewOf(const Principal& who, const Pad& pad) const;
  void Handle(Pad& pad, uint64_t client, const std::string& frame);
  // The frames that change the pad (pad.mu held); an error is answered to the sender.
  absl::Status Push(Pad& pad, const std::string& role, const google::protobuf::Struct& msg);
  absl::Status SwitchLanguage(Pad& pad, const std::string& role,
                              const google::protobuf::Struct& msg);
  absl::Status Visibility(Pad& pad, const Principal& who, const google::protobuf::Struct& msg);
  void Leave(Pad& pad, uint64_t client);
  // A join or leave: who is on the pad now to everyone, the event to the interviewer side.
  void Announce(Pad& pad, const judge::v1::SessionEvent& e);
  // Appends events to the timeline (store first, then the pad's state); pad.mu held.
  // Each event gets its seq, and its version unless set (an edit's own).
  absl::Status Record(Pad& pad, std::vector<judge::v1::SessionEvent>* events);
  absl::Status Record(Pad& pad, judge::v1::SessionEvent* event);
  judge::v1::SessionEvent NewEvent(Pad& pad, const std::string& who) const;

  ApiContext* ctx_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Pad>> pads_;
};

// Applies a CodeMirror ChangeSet, as ChangeSet.toJSON() writes it, to `doc` (UTF-16 code
// units); INVALID_ARGUMENT when it does not fit the document.
absl::StatusOr<std::u16string> ApplyChangeSet(const std::u16string& doc,
                                              const std::string& changes_json);
std::u16string Utf16(const std::string& utf8);
// {"type":"error","code":"NOT_FOUND","message":"..."}: how the pad refuses a frame or a hello.
std::string PadErrorFrame(const absl::Status& status);
std::string Utf8(const std::u16string& utf16);

}  // namespace judge
