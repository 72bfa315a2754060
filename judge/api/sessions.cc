#include "judge/api/sessions.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "judge/api/cluster_list.h"
#include "judge/api/json_text.h"
#include "judge/api/log.h"
#include "judge/api/views.h"
#include "judge/core/language.h"

namespace judge {

using judge::v1::Session;
using judge::v1::SessionEvent;
using judge::v1::SubmissionEvent;

struct PadLink::Pad {
  std::mutex mu;
  Session session;  // as stored; document and version follow doc and updates
  std::u16string doc;
  struct Update {
    std::string client_id, changes, who;  // changes: ChangeSet JSON
  };
  std::vector<Update> updates;  // updates[v] took the pad from version v to v + 1
  uint64_t next_seq = 0;
  struct Client {
    Principal who;
    std::function<void(std::string, bool)> send;
  };
  std::map<uint64_t, Client> clients;
  uint64_t next_client = 1;
  std::vector<std::shared_ptr<Listener>> runs;  // relays of the runs in progress
  bool erased = false;                          // its candidate was erased: nothing more is stored
};

std::string PadErrorFrame(const absl::Status& status) {
  return absl::StrCat(R"({"type":"error","code":)",
                      JsonQuote(absl::StatusCodeToString(status.code())), R"(,"message":)",
                      JsonQuote(std::string(status.message())), "}");
}

namespace {

std::string UpdateJson(const PadLink::Pad::Update& u) {
  return absl::StrCat(R"({"clientID":)", JsonQuote(u.client_id), R"(,"changes":)", u.changes,
                      R"(,"who":)", JsonQuote(u.who), "}");
}

std::string PresenceFrame(const PadLink::Pad& pad) {
  std::set<std::string> roles;
  for (const auto& [id, c] : pad.clients) roles.insert(JsonQuote(RoleName(c.who.role)));
  return absl::StrCat(R"({"type":"presence","participants":[)", absl::StrJoin(roles, ","), "]}");
}

// The insertion of `text` into an empty document, as ChangeSet.toJSON() writes it.
std::string InsertAll(const std::string& text) {
  if (text.empty()) return "[]";
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(JsonQuote(text.substr(start, nl - start)));
  }
  lines.push_back(JsonQuote(text.substr(start)));
  return absl::StrCat("[[0,", absl::StrJoin(lines, ","), "]]");
}

bool Readonly(const Session& s) { return s.state() == judge::v1::SESSION_STATE_ENDED; }

// Now, to the nanosecond (protobuf's TimeUtil::GetCurrentTime has whole seconds here, and
// playback paces keystrokes within a second).
google::protobuf::Timestamp Now() {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(absl::Now()));
}

}  // namespace

std::u16string Utf16(const std::string& utf8) {
  std::u16string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    const unsigned char c = utf8[i];
    uint32_t cp = c;
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (len > 1 && i + len <= utf8.size()) {
      cp = c & (0xff >> (len + 1));
      for (int k = 1; k < len; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3f);
    } else {
      len = 1;
    }
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xd800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

std::string Utf8(const std::u16string& utf16) {
  std::string out;
  out.reserve(utf16.size());
  for (size_t i = 0; i < utf16.size(); ++i) {
    uint32_t cp = utf16[i];
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < utf16.size() && utf16[i + 1] >= 0xdc00 &&
        utf16[i + 1] < 0xe000) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (utf16[++i] - 0xdc00);
    } else if (cp >= 0xd800 && cp < 0xe000) {
      cp = 0xfffd;  // a lone surrogate
    }
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }
  return out;
}

absl::StatusOr<std::u16string> ApplyChangeSet(const std::u16string& doc,
                                              const std::string& changes_json) {
  google::protobuf::ListValue parts;
  if (!google::protobuf::util::JsonStringToMessage(changes_json, &parts).ok()) {
    return absl::InvalidArgumentError("changes are not a ChangeSet's JSON (an array)");
  }
  auto length = [](const google::protobuf::Value& v) -> int64_t {
    if (v.kind_case() != google::protobuf::Value::kNumberValue) return -1;
    const double d = v.number_value();
    return d >= 0 && d <= 1e9 && d == static_cast<int64_t>(d) ? static_cast<int64_t>(d) : -1;
  };
  std::u16string out;
  size_t pos = 0;
  for (const google::protobuf::Value& part : parts.values()) {
    const bool replace = part.kind_case() == google::protobuf::Value::kListValue;
    const int64_t len =
        replace ? (part.list_value().values_size() > 0 ? length(part.list_value().values(0)) : -1)
                : length(part);
    if (len < 0 || pos + len > doc.size()) {
      return absl::InvalidArgumentError("a change does not fit the pad's text at this version");
    }
    if (!replace) {
      out.append(doc, pos, len);
    } else {
      for (int i = 1; i < part.list_value().values_size(); ++i) {
        const google::protobuf::Value& line = part.list_value().values(i);
        if (line.kind_case() != google::protobuf::Value::kStringValue) {
          return absl::InvalidArgumentError("an inserted line is not a string");
        }
        if (i > 1) out.push_back(u'\n');
        out += Utf16(line.string_value());
      }
    }
    pos += len;
  }
  if (pos != doc.size()) {
    return absl::InvalidArgumentError("the changes cover a text of another length than the pad's");
  }
  return out;
}

// Forwards a session run's events to the pad's clients, each as its caller may see them, and
// records its start and end on the timeline.
class Sessions::RunRelay final : public Listener {
 public:
  RunRelay(Sessions* sessions, std::shared_ptr<Pad> pad, std::string runner, std::string challenge)
      : sessions_(sessions),
        pad_(std::move(pad)),
        runner_(std::move(runner)),
        challenge_(std::move(challenge)) {}
  void OnEvent(const SubmissionEvent& event) override {
    std::lock_guard<std::mutex> lock(pad_->mu);
    for (auto& [id, c] : pad_->clients) {
      SubmissionEvent copy = event;
      if (auto view = EventViewFor(*sessions_->ctx_->challenges, c.who, challenge_)) view(&copy);
      c.send(absl::StrCat(R"({"type":"run","who":)", JsonQuote(runner_), R"(,"event":)",
                          ToJson(copy), "}"),
             false);
    }
    if (event.state() != judge::v1::SUBMISSION_STATE_FINISHED) return;
    SessionEvent e = sessions_->NewEvent(*pad_, runner_);
    *e.mutable_run_finished() = event.submission();
    e.mutable_run_finished()->clear_source();
    (void)sessions_->Record(*pad_, &e);
    auto& runs = pad_->runs;
    runs.erase(
        std::remove_if(runs.begin(), runs.end(),
                       [this](const std::shared_ptr<Listener>& l) { return l.get() == this; }),
        runs.end());
  }

 private:
  Sessions* sessions_;
  std::shared_ptr<Pad> pad_;
  std::string runner_, challenge_;
};

PadLink::~PadLink() {
  if (sessions_ != nullptr && pad_ != nullptr) sessions_->Leave(*pad_, client_);
}

void PadLink::Receive(const std::string& frame) {
  if (peer_ != nullptr) return peer_->Send(frame);
  sessions_->Handle(*pad_, client_, frame);
}

Sessions::~Sessions() = default;

absl::Status Sessions::Record(Pad& pad, SessionEvent* event) {
  std::vector<SessionEvent> one{*event};
  absl::Status s = Record(pad, &one);
  *event = one[0];
  return s;
}

SessionEvent Sessions::NewEvent(Pad& pad, const std::string& who) const {
  SessionEvent e;
  e.set_who(who);
  *e.mutable_at() = Now();
  return e;
}

absl::Status Sessions::Record(Pad& pad, std::vector<SessionEvent>* events) {
  if (pad.erased) return absl::NotFoundError("the session was erased");
  pad.session.set_document(Utf8(pad.doc));
  pad.session.set_version(static_cast<uint32_t>(pad.updates.size()));
  for (SessionEvent& e : *events) {
    e.set_seq(pad.next_seq++);
    if (e.version() == 0) e.set_version(static_cast<uint32_t>(pad.updates.size()));
  }
  absl::Status s = ctx_->store->AppendSessionEvents(pad.session, *events);
  if (!s.ok()) spdlog::error("session={}: {}", pad.session.id(), std::string(s.message()));
  return s;
}

absl::StatusOr<Session> Sessions::Create(const Principal& who,
                                         const judge::v1::CreateSessionRequest& req) {
  if (who.role == Role::kCandidate) {
    return absl::PermissionDeniedError("interviewers (or their platform) create sessions");
  }
  std::shared_ptr<const LoadedChallenge> ch = ctx_->challenges->Find(req.challenge_id());
  if (ch == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no challenge \"", req.challenge_id().substr(0, 64), "\""));
  }
  if (!ValidName(req.candidate_id(), 128)) {
    return absl::InvalidArgumentError("candidate_id is missing or malformed");
  }
  const auto& languages = ch->manifest.languages();
  std::string language = req.language().empty() ? languages.at(0) : req.language();
  if (std::find(languages.begin(), languages.end(), language) == languages.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("challenge ", req.challenge_id(), " does not take language \"",
                     language.substr(0, 32), "\" (it takes ", absl::StrJoin(languages, ", "), ")"));
  }
  std::string document = req.document();
  if (document.empty()) {
    // A class-form challenge starts the pad from its stub; any other from the language's starter.
    if (auto stub = ch->stubs.find(language); stub != ch->stubs.end()) {
      document = stub->second;
    } else if (const Language* l = FindLanguage(language)) {
      document = l->starter;
    }
  }
  if (document.size() > ctx_->options.max_source_bytes || !ValidUtf8(document)) {
    return absl::InvalidArgumentError(absl::StrCat("document must be UTF-8 of at most ",
                                                   ctx_->options.max_source_bytes, " bytes"));
  }
  auto pad = std::make_shared<Pad>();
  Session& s = pad->session;
  s.set_id(ctx_->cluster != nullptr
               ? absl::StrCat("s", ctx_->store->NewId(), ".", ctx_->cluster->node_id())
               : absl::StrCat("s", ctx_->store->NewId()));
  s.set_challenge_id(req.challenge_id());
  s.set_candidate_id(req.candidate_id());
  s.set_language(language);
  s.set_state(judge::v1::SESSION_STATE_OPEN);
  s.set_created_by(who.key_id);
  *s.mutable_created_at() = Now();
  s.set_join_url(absl::StrCat("/#/sessions/", s.id()));
  pad->doc = Utf16(document);
  pad->updates.push_back(Pad::Update{"judge", InsertAll(document), RoleName(who.role)});
  pad->session.set_document(document);
  pad->session.set_version(1);
  if (absl::Status st = ctx_->store->PutSession(pad->session, true); !st.ok()) return st;
  SessionEvent first = NewEvent(*pad, RoleName(who.role));
  first.set_changes(pad->updates[0].changes);
  if (absl::Status st = Record(*pad, &first); !st.ok()) return st;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pads_[s.id()] = pad;
  }
  spdlog::info("session={} created challenge={} candidate={} key={}", s.id(), s.challenge_id(),
               s.candidate_id(), who.key_id);
  return ViewOf(who, *pad);
}

absl::StatusOr<std::shared_ptr<PadLink::Pad>> Sessions::Open(const Principal& who,
                                                             const std::string& id) {
  if (!ValidName(id, 64)) return absl::InvalidArgumentError("session_id is malformed");
  std::shared_ptr<Pad> pad;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pads_.find(id);
    if (it != pads_.end()) pad = it->second;
  }
  if (pad == nullptr) {
    absl::StatusOr<Session> stored = ctx_->store->GetSession(id);
    if (!stored.ok()) return stored.status();
    absl::StatusOr<std::vector<SessionEvent>> events = ctx_->store->SessionEvents(id);
    if (!events.ok()) return events.status();
    auto loaded = std::make_shared<Pad>();
    loaded->session = *std::move(stored);
    for (const SessionEvent& e : *events) {
      if (e.kind_case() == SessionEvent::kChanges) {
        loaded->updates.push_back(Pad::Update{"", e.changes(), e.who()});
      }
    }
    loaded->doc = Utf16(loaded->session.document());
    loaded->next_seq = events->empty() ? 0 : events->back().seq() + 1;
    std::lock_guard<std::mutex> lock(mu_);
    pad = pads_.emplace(id, loaded).first->second;  // another thread may have loaded it first
  }
  if (who.role == Role::kCandidate && pad->session.candidate_id() != who.candidate_id) {
    return absl::NotFoundError("no session " + id);  // as if it did not exist
  }
  return pad;
}

Session Sessions::ViewOf(const Principal& who, const Pad& pad) const {
  Session s = pad.session;
  s.set_document(Utf8(pad.doc));
  s.set_version(static_cast<uint32_t>(pad.updates.size()));
  std::set<std::string> roles;
  for (const auto& [id, c] : pad.clients) roles.insert(RoleName(c.who.role));
  for (const std::string& r : roles) s.add_participants(r);
  if (who.role == Role::kCandidate) {
    s.clear_notes();
    s.clear_created_by();
  }
  return s;
}

absl::StatusOr<Session> Sessions::Get(const Principal& who, const std::string& id) {
  absl::StatusOr<std::string> remote = RemoteOwner(*ctx_, id, "session");
  if (!remote.ok()) return remote.status();
  if (!remote->empty()) {
    judge::v1::GetSessionRequest req;
    req.set_session_id(id);
    return FromOwner(ctx_->peers->GetSession(*remote, who, req), id, "session");
  }
  absl::StatusOr<std::shared_ptr<Pad>> pad = Open(who, id);
  if (!pad.ok()) return pad.status();
  std::lock_guard<std::mutex> lock((*pad)->mu);
  return ViewOf(who, **pad);
}

absl::StatusOr<judge::v1::SessionTimeline> Sessions::Timeline(const Principal& who,
                                                              const std::string& id) {
  absl::StatusOr<std::string> remote = RemoteOwner(*ctx_, id, "session");
  if (!remote.ok()) return remote.status();
  if (!remote->empty()) {
    judge::v1::GetSessionTimelineRequest req;
    req.set_session_id(id);
    return FromOwner(ctx_->peers->GetSessionTimeline(*remote, who, req), id, "session");
  }
  absl::StatusOr<std::shared_ptr<Pad>> pad = Open(who, id);
  if (!pad.ok()) return pad.status();
  absl::StatusOr<std::vector<SessionEvent>> events = ctx_->store->SessionEvents(id);
  if (!events.ok()) return events.status();
  judge::v1::SessionTimeline timeline;
  for (SessionEvent& e : *events) {
    if (e.kind_case() == SessionEvent::kRunFinished) {
      ViewFor(*ctx_->challenges, who, e.mutable_run_finished());
    }
    *timeline.add_events() = std::move(e);
  }
  return timeline;
}

absl::StatusOr<judge::v1::ListSessionsResponse> Sessions::List(
    const Principal& who, const judge::v1::ListSessionsRequest& req) {
  if (ctx_->cluster == nullptr || who.this_node_only) return ListHere(who, req);
  return ListEverywhere<judge::v1::ListSessionsRequest, judge::v1::ListSessionsResponse>(
      *ctx_->cluster, who, req,
      [this](const Principal& here, const judge::v1::ListSessionsRequest& r) {
        return ListHere(here, r);
      },
      [this](const std::string& address, const Principal& w,
             const judge::v1::ListSessionsRequest& r) {
        return ctx_->peers->ListSessionsLocal(address, w, r);
      },
      &judge::v1::ListSessionsResponse::mutable_sessions);
}

absl::StatusOr<judge::v1::ListSessionsResponse> Sessions::ListHere(
    const Principal& who, const judge::v1::ListSessionsRequest& req) {
  std::string candidate = req.candidate_id();
  if (who.role == Role::kCandidate) {
    if (!candidate.empty() && candidate != who.candidate_id) {
      return absl::PermissionDeniedError("a candidate may only list its own sessions");
    }
    candidate = who.candidate_id;
  }
  const uint32_t page_size = req.page_size() == 0 ? 20 : req.page_size();
  if (page_size > 100) return absl::InvalidArgumentError("page_size must be between 1 and 100");
  if (!req.page_token().empty() && !ValidName(req.page_token(), 64)) {
    return absl::InvalidArgumentError("page_token is not one this server gave out");
  }
  absl::StatusOr<Store::SessionPage> page =
      ctx_->store->ListSessions(candidate, page_size, req.page_token());
  if (!page.ok()) return page.status();
  judge::v1::ListSessionsResponse resp;
  for (Session& s : page->sessions) {
    if (who.role == Role::kCandidate) s.clear_created_by();
    *resp.add_sessions() = std::move(s);
  }
  resp.set_next_page_token(page->next_page_token);
  return resp;
}

absl::StatusOr<Session> Sessions::End(const Principal& who, const std::string& id) {
  absl::StatusOr<std::string> remote = RemoteOwner(*ctx_, id, "session");
  if (!remote.ok()) return remote.status();
  if (!remote->empty()) {
    judge::v1::EndSessionRequest req;
    req.set_session_id(id);
    return FromOwner(ctx_->peers->EndSession(*remote, who, req), id, "session");
  }
  absl::StatusOr<std::shared_ptr<Pad>> opened = Open(who, id);
  if (!opened.ok()) return opened.status();
  if (who.role == Role::kCandidate) {
    return absl::PermissionDeniedError("the interviewer ends the session");
  }
  Pad& pad = **opened;
  std::lock_guard<std::mutex> lock(pad.mu);
  if (!Readonly(pad.session)) {
    pad.session.set_state(judge::v1::SESSION_STATE_ENDED);
    *pad.session.mutable_ended_at() = Now();
    SessionEvent e = NewEvent(pad, RoleName(who.role));
    e.set_ended(true);
    if (absl::Status s = Record(pad, &e); !s.ok()) return s;
    for (auto& [cid, c] : pad.clients) c.send(R"({"type":"ended"})", true);
  }
  return ViewOf(who, pad);
}

absl::StatusOr<Session> Sessions::SetNotes(const Principal& who,
                                           const judge::v1::SetSessionNotesRequest& req) {
  absl::StatusOr<std::string> remote = RemoteOwner(*ctx_, req.session_id(), "session");
  if (!remote.ok()) return remote.status();
  if (!remote->empty()) {
    return FromOwner(ctx_->peers->SetSessionNotes(*remote, who, req), req.session_id(), "session");
  }
  absl::StatusOr<std::shared_ptr<Pad>> opened = Open(who, req.session_id());
  if (!opened.ok()) return opened.status();
  if (who.role == Role::kCandidate) {
    return absl::PermissionDeniedError("notes are the interviewer's");
  }
  if (req.notes().size() > ctx_->options.max_source_bytes || !ValidUtf8(req.notes())) {
    return absl::InvalidArgumentError(
        absl::StrCat("notes must be UTF-8 of at most ", ctx_->options.max_source_bytes, " bytes"));
  }
  Pad& pad = **opened;
  std::lock_guard<std::mutex> lock(pad.mu);
  pad.session.set_notes(req.notes());
  if (absl::Status s = ctx_->store->PutSession(pad.session, false); !s.ok()) return s;
  return ViewOf(who, pad);
}

absl::StatusOr<std::unique_ptr<PadLink>> Sessions::Join(
    const Principal& who, const std::string& id, int64_t version,
    std::function<void(std::string, bool)> send) {
  absl::StatusOr<std::string> remote = RemoteOwner(*ctx_, id, "session");
  if (!remote.ok()) return remote.status();
  if (!remote->empty()) {
    std::unique_ptr<PadLink> link(new PadLink());
    link->peer_ = ctx_->peers->JoinPad(*remote, who, id, version, std::move(send));
    return link;
  }
  absl::StatusOr<std::shared_ptr<Pad>> opened = Open(who, id);
  if (!opened.ok()) return opened.status();
  Pad& pad = **opened;
  std::unique_ptr<PadLink> link(new PadLink());
  link->sessions_ = this;
  link->pad_ = *opened;
  std::lock_guard<std::mutex> lock(pad.mu);
  link->client_ = pad.next_client++;
  const std::string role = RoleName(who.role);
  std::string welcome = absl::StrCat(R"({"type":"welcome","role":)", JsonQuote(role),
                                     R"(,"version":)", pad.updates.size());
  if (version >= 0 && static_cast<size_t>(version) <= pad.updates.size()) {
    std::vector<std::string> since;
    for (size_t v = version; v < pad.updates.size(); ++v)
      since.push_back(UpdateJson(pad.updates[v]));
    absl::StrAppend(&welcome, R"(,"updates":[)", absl::StrJoin(since, ","), "]");
  } else {
    absl::StrAppend(&welcome, R"(,"doc":)", JsonQuote(Utf8(pad.doc)));
  }
  pad.clients[link->client_] = Pad::Client{who, std::move(send)};
  absl::StrAppend(&welcome, R"(,"session":)", ToJson(ViewOf(who, pad)), "}");
  pad.clients[link->client_].send(welcome, false);
  if (who.role == Role::kCandidate && !pad.session.has_candidate_joined_at()) {
    *pad.session.mutable_candidate_joined_at() = Now();
  }
  SessionEvent e = NewEvent(pad, role);
  e.set_joined(true);
  (void)Record(pad, &e);
  Announce(pad, e);
  if (Readonly(pad.session)) pad.clients[link->client_].send(R"({"type":"ended"})", true);
  return link;
}

void Sessions::Announce(Pad& pad, const SessionEvent& e) {
  const std::string presence = PresenceFrame(pad);
  const std::string mark = absl::StrCat(R"({"type":"mark","event":)", ToJson(e), "}");
  for (auto& [cid, c] : pad.clients) {
    c.send(presence, false);
    if (c.who.role != Role::kCandidate) c.send(mark, false);
  }
}

void Sessions::Leave(Pad& pad, uint64_t client) {
  std::lock_guard<std::mutex> lock(pad.mu);
  auto it = pad.clients.find(client);
  if (it == pad.clients.end()) return;
  const std::string role = RoleName(it->second.who.role);
  pad.clients.erase(it);
  SessionEvent e = NewEvent(pad, role);
  e.set_left(true);
  (void)Record(pad, &e);
  Announce(pad, e);
  // Nobody on the pad and no run in progress: its memory goes (the store keeps it all; the
  // next Open loads it again).
  if (pad.clients.empty() && pad.runs.empty()) {
    std::lock_guard<std::mutex> map_lock(mu_);  // (pad.mu, then mu_: nowhere the other way)
    auto kept = pads_.find(pad.session.id());
    // Held only by the map and the leaving link: no call is using it (copies are made under
    // mu_, in Open, so none can appear meanwhile).
    if (kept != pads_.end() && kept->second.get() == &pad && kept->second.use_count() <= 2) {
      pads_.erase(kept);
    }
  }
}

// A frame's fields, read leniently (a missing field is empty or -1).
struct Frame {
  const google::protobuf::Struct& msg;
  std::string Str(const char* name) const {
    auto it = msg.fields().find(name);
    return it == msg.fields().end() ? std::string() : it->second.string_value();
  }
  double Num(const char* name) const {
    auto it = msg.fields().find(name);
    return it == msg.fields().end() ? -1.0 : it->second.number_value();
  }
};

absl::Status Sessions::Push(Pad& pad, const std::string& role,
                            const google::protobuf::Struct& msg) {
  const auto& f = msg.fields();
  auto num = [&](const char* name) { return Frame{msg}.Num(name); };
  if (num("version") != static_cast<double>(pad.updates.size()))
    return absl::OkStatus();  // it catches up
  auto updates = f.find("updates");
  if (updates == f.end() || !updates->second.has_list_value()) {
    return absl::InvalidArgumentError("a push carries \"updates\": [...]");
  }
  const std::u16string before = pad.doc;
  const size_t had = pad.updates.size();
  std::vector<SessionEvent> events;
  for (const google::protobuf::Value& u : updates->second.list_value().values()) {
    const auto& uf = u.struct_value().fields();
    auto changes = uf.find("changes");
    auto client_id = uf.find("clientID");
    if (changes == uf.end() || client_id == uf.end()) {
      pad.doc = before;
      pad.updates.resize(had);
      return absl::InvalidArgumentError("an update carries clientID and changes");
    }
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(changes->second, &json);
    absl::StatusOr<std::u16string> next = ApplyChangeSet(pad.doc, json);
    if (next.ok() && Utf8(*next).size() > ctx_->options.max_source_bytes) {
      next = absl::InvalidArgumentError(
          absl::StrCat("the pad would hold more than ", ctx_->options.max_source_bytes, " bytes"));
    }
    if (!next.ok()) {
      pad.doc = before;
      pad.updates.resize(had);
      return next.status();
    }
    pad.doc = *std::move(next);
    pad.updates.push_back(Pad::Update{client_id->second.string_value(), json, role});
    SessionEvent e = NewEvent(pad, role);
    e.set_changes(json);
    e.set_version(static_cast<uint32_t>(pad.updates.size()));  // after this one
    events.push_back(std::move(e));
  }
  if (absl::Status st = Record(pad, &events); !st.ok()) {
    pad.doc = before;
    pad.updates.resize(had);
    return st;
  }
  std::vector<std::string> sent;
  for (size_t v = had; v < pad.updates.size(); ++v) sent.push_back(UpdateJson(pad.updates[v]));
  const std::string out = absl::StrCat(R"({"type":"updates","version":)", pad.updates.size(),
                                       R"(,"updates":[)", absl::StrJoin(sent, ","), "]}");
  for (auto& [cid, c] : pad.clients) c.send(out, false);
  return absl::OkStatus();
}

absl::Status Sessions::SwitchLanguage(Pad& pad, const std::string& role,
                                      const google::protobuf::Struct& msg) {
  auto str = [&](const char* name) { return Frame{msg}.Str(name); };
  const std::string language = str("language");
  std::shared_ptr<const LoadedChallenge> ch = ctx_->challenges->Find(pad.session.challenge_id());
  if (ch == nullptr) {
    return absl::FailedPreconditionError("the session's challenge is no longer loaded");
  }
  const auto& allowed = ch->manifest.languages();
  if (std::find(allowed.begin(), allowed.end(), language) == allowed.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("this challenge takes ", absl::StrJoin(allowed, ", ")));
  }
  pad.session.set_language(language);
  SessionEvent e = NewEvent(pad, role);
  e.set_language(language);
  if (absl::Status st = Record(pad, &e); !st.ok()) return st;
  const std::string out = absl::StrCat(R"({"type":"language","who":)", JsonQuote(role),
                                       R"(,"language":)", JsonQuote(language), "}");
  for (auto& [cid, c] : pad.clients) c.send(out, false);
  return absl::OkStatus();
}

absl::Status Sessions::Visibility(Pad& pad, const Principal& who,
                                  const google::protobuf::Struct& msg) {
  const auto& f = msg.fields();
  const std::string role = RoleName(who.role);
  if (who.role != Role::kCandidate) return absl::OkStatus();
  SessionEvent e = NewEvent(pad, role);
  auto hidden = f.find("hidden");
  if (hidden != f.end() && hidden->second.bool_value()) {
    e.set_tab_hidden(true);
  } else {
    e.set_tab_visible(true);
  }
  (void)Record(pad, &e);
  const std::string mark = absl::StrCat(R"({"type":"mark","event":)", ToJson(e), "}");
  for (auto& [cid, c] : pad.clients) {
    if (c.who.role != Role::kCandidate) c.send(mark, false);
  }
  return absl::OkStatus();
}

void Sessions::Handle(Pad& pad, uint64_t client, const std::string& frame) {
  google::protobuf::Struct msg;
  std::lock_guard<std::mutex> lock(pad.mu);
  auto self = pad.clients.find(client);
  if (self == pad.clients.end()) return;
  auto reply = [&](const absl::Status& st) {
    if (!st.ok()) self->second.send(PadErrorFrame(st), false);
  };
  if (!google::protobuf::util::JsonStringToMessage(frame, &msg).ok()) {
    return reply(absl::InvalidArgumentError("a frame is one JSON object"));
  }
  const Frame f{msg};
  const std::string type = f.Str("type");
  const Principal& who = self->second.who;
  const std::string role = RoleName(who.role);
  if (type == "cursor") {
    const std::string out = absl::StrCat(R"({"type":"cursor","who":)", JsonQuote(role),
                                         R"(,"anchor":)", static_cast<int64_t>(f.Num("anchor")),
                                         R"(,"head":)", static_cast<int64_t>(f.Num("head")), "}");
    for (auto& [cid, c] : pad.clients) {
      if (cid != client) c.send(out, false);
    }
    return;
  }
  if (type == "visibility") return reply(Visibility(pad, who, msg));
  if (Readonly(pad.session)) {
    return reply(absl::FailedPreconditionError("the session has ended; the pad is read-only"));
  }
  if (type == "push") return reply(Push(pad, role, msg));
  if (type == "language") return reply(SwitchLanguage(pad, role, msg));
  reply(absl::InvalidArgumentError(absl::StrCat("unknown frame type \"", type.substr(0, 32),
                                                "\" (push, cursor, language, visibility)")));
}

absl::StatusOr<uint32_t> Sessions::EraseCandidate(const std::string& candidate_id) {
  std::vector<std::shared_ptr<Pad>> gone;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = pads_.begin(); it != pads_.end();) {
      if (it->second->session.candidate_id() == candidate_id) {
        gone.push_back(it->second);
        it = pads_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& pad : gone) {
    std::lock_guard<std::mutex> lock(pad->mu);
    pad->erased = true;
    pad->session.set_state(judge::v1::SESSION_STATE_ENDED);
    for (auto& [cid, c] : pad->clients) c.send(R"({"type":"ended"})", true);
  }
  return ctx_->store->EraseSessionsOf(candidate_id);
}

absl::Status Sessions::CheckRun(const Principal& who, const std::string& id,
                                const std::string& challenge_id) {
  absl::StatusOr<std::shared_ptr<Pad>> pad = Open(who, id);
  if (!pad.ok()) return pad.status();
  std::lock_guard<std::mutex> lock((*pad)->mu);
  if (Readonly((*pad)->session)) {
    return absl::FailedPreconditionError("the session has ended; it takes no more runs");
  }
  if ((*pad)->session.challenge_id() != challenge_id) {
    return absl::InvalidArgumentError(
        absl::StrCat("session ", id, " is for challenge ", (*pad)->session.challenge_id()));
  }
  return absl::OkStatus();
}

void Sessions::RunStarted(const Principal& who, const std::string& id,
                          const judge::v1::Submission& run) {
  absl::StatusOr<std::shared_ptr<Pad>> pad = Open(who, id);
  if (!pad.ok()) return;
  auto relay = std::make_shared<RunRelay>(this, *pad, RoleName(who.role), run.challenge_id());
  {
    std::lock_guard<std::mutex> lock((*pad)->mu);
    SessionEvent e = NewEvent(**pad, RoleName(who.role));
    e.set_run_started(run.id());
    (void)Record(**pad, &e);
    (*pad)->runs.push_back(relay);
  }
  // Outside the pad's lock: the history comes at once. A run that already finished is recorded
  // from the store.
  if (ctx_->hub->Subscribe(run.id(), relay)) return;
  absl::StatusOr<judge::v1::Submission> done = ctx_->store->Get(run.id());
  std::lock_guard<std::mutex> lock((*pad)->mu);
  auto& runs = (*pad)->runs;
  runs.erase(std::remove(runs.begin(), runs.end(), std::shared_ptr<Listener>(relay)), runs.end());
  if (done.ok() && done->state() == judge::v1::SUBMISSION_STATE_FINISHED) {
    SessionEvent e = NewEvent(**pad, RoleName(who.role));
    done->clear_source();
    *e.mutable_run_finished() = *std::move(done);
    (void)Record(**pad, &e);
  }
}

}  // namespace judge
