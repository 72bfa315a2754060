#include "judge/cluster/nats_link.h"

#include <nats/nats.h>

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "judge/api/log.h"

namespace judge {
namespace {

constexpr char kJobsStream[] = "JUDGE_JOBS";
constexpr char kJobsSubject[] = "judge.jobs";
constexpr char kResultsStream[] = "JUDGE_RESULTS";
// Imported challenges: judge.challenges.version.<id> (the newest StoredChallenge) and
// judge.challenges.blob.<sha256>.<n> (a file's bytes in chunks under NATS's message size).
constexpr char kChallengesStream[] = "JUDGE_CHALLENGES";
constexpr size_t kChunkBytes = 512 << 10;
constexpr char kWorkers[] = "judge-workers";
constexpr int64_t kNanosPerSecond = 1'000'000'000;

absl::Status NatsError(natsStatus s, absl::string_view what,
                       jsErrCode js = static_cast<jsErrCode>(0)) {
  if (s == NATS_OK) return absl::OkStatus();
  const char* last = nats_GetLastError(nullptr);
  std::string message = absl::StrCat(what, ": ", natsStatus_GetText(s));
  if (js != 0) absl::StrAppend(&message, " (JetStream error ", static_cast<int>(js), ")");
  if (last != nullptr && *last != '\0') absl::StrAppend(&message, " - ", last);
  switch (s) {
    case NATS_NOT_FOUND:
      return absl::NotFoundError(message);
    case NATS_TIMEOUT:
    case NATS_CONNECTION_CLOSED:
    case NATS_NO_SERVER:
    case NATS_NOT_YET_CONNECTED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_STALE_CONNECTION:
    case NATS_NO_RESPONDERS:
    case NATS_IO_ERROR:
      return absl::UnavailableError(message);
    default:
      return absl::InternalError(message);
  }
}

// A fetched message owned here: destroyed with the job.
class NatsJob final : public Job {
 public:
  NatsJob(natsMsg* msg, judge::v1::Submission submission)
      : msg_(msg), submission_(std::move(submission)) {}
  ~NatsJob() override { natsMsg_Destroy(msg_); }
  const judge::v1::Submission& submission() const override { return submission_; }
  void KeepLeased() override { (void)natsMsg_InProgress(msg_, nullptr); }
  absl::Status Done() override {
    jsErrCode code = static_cast<jsErrCode>(0);
    return NatsError(natsMsg_AckSync(msg_, nullptr, &code), "acknowledging a job", code);
  }
  void Retry() override { (void)natsMsg_Nak(msg_, nullptr); }

 private:
  natsMsg* msg_;
  judge::v1::Submission submission_;
};

// Creates a file-backed stream on one subject (pattern) unless it exists (its configuration is
// then left as it is, but for the bound on messages). 0 leaves the de-duplication window, the
// age limit and the number of messages at their defaults (no bound); a stream bounded to
// `max_msgs` refuses new messages beyond it; `max_msgs_per_subject` > 0 keeps only that many of
// each subject (the newest).
absl::Status EnsureStream(jsCtx* js, const char* name, const char* subject,
                          jsRetentionPolicy retention, int replicas, int64_t duplicates_ns,
                          int64_t max_age_ns, int64_t max_msgs = 0,
                          int64_t max_msgs_per_subject = 0) {
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js, name, nullptr, &code);
  if (s == NATS_OK) {
    // One bound for the whole cluster: the node started last sets it.
    absl::Status result = absl::OkStatus();
    const int64_t want = max_msgs > 0 ? max_msgs : -1;
    if (info->Config->MaxMsgs != want) {
      jsStreamConfig cfg = *info->Config;
      cfg.MaxMsgs = want;
      cfg.Discard = js_DiscardNew;
      jsStreamInfo* updated = nullptr;
      result = NatsError(js_UpdateStream(&updated, js, &cfg, nullptr, &code),
                         absl::StrCat("bounding stream ", name), code);
      if (result.ok()) {
        jsStreamInfo_Destroy(updated);
        spdlog::warn("stream {} now holds at most {} messages (it was {})", name, want,
                     info->Config->MaxMsgs);
      }
    }
    jsStreamInfo_Destroy(info);
    return result;
  }
  if (s != NATS_NOT_FOUND && code != JSStreamNotFoundErr) {
    return NatsError(s, absl::StrCat("looking up stream ", name), code);
  }
  const char* subjects[] = {subject};
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = name;
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Retention = retention;
  cfg.Storage = js_FileStorage;
  cfg.Replicas = replicas;
  cfg.Duplicates = duplicates_ns;
  cfg.MaxAge = max_age_ns;
  if (max_msgs_per_subject > 0) cfg.MaxMsgsPerSubject = max_msgs_per_subject;
  if (max_msgs > 0) {
    cfg.MaxMsgs = max_msgs;
    cfg.Discard = js_DiscardNew;
  }
  s = js_AddStream(&info, js, &cfg, nullptr, &code);
  if (s == NATS_OK) jsStreamInfo_Destroy(info);
  return NatsError(s, absl::StrCat("creating stream ", name), code);
}

absl::StatusOr<kvStore*> EnsureBucket(jsCtx* js, const char* name, int64_t ttl_ns, int replicas) {
  kvStore* kv = nullptr;
  if (js_KeyValue(&kv, js, name) == NATS_OK) return kv;
  kvConfig cfg;
  kvConfig_Init(&cfg);
  cfg.Bucket = name;
  cfg.History = 1;
  cfg.TTL = ttl_ns;
  cfg.StorageType = js_FileStorage;
  cfg.Replicas = replicas;
  natsStatus s = js_CreateKeyValue(&kv, js, &cfg);
  if (s != NATS_OK && js_KeyValue(&kv, js, name) == NATS_OK) return kv;  // a peer raced us
  if (s != NATS_OK) return NatsError(s, absl::StrCat("creating KV bucket ", name));
  return kv;
}

}  // namespace

absl::StatusOr<std::unique_ptr<NatsLink>> NatsLink::Connect(NatsOptions options) {
  std::unique_ptr<NatsLink> link(new NatsLink(std::move(options)));
  const NatsOptions& o = link->options_;
  natsOptions* opts = nullptr;
  if (natsOptions_Create(&opts) != NATS_OK) return absl::InternalError("natsOptions_Create");
  natsStatus s = natsOptions_SetURL(opts, o.url.c_str());
  natsOptions_SetName(opts, absl::StrCat("judged ", o.node_id).c_str());
  natsOptions_SetMaxReconnect(opts, -1);  // for ever: NATS restarting is routine
  natsOptions_SetReconnectWait(opts, 250);
  natsOptions_SetTimeout(opts, 2000);
  if (s == NATS_OK && !o.creds_file.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(opts, o.creds_file.c_str(), nullptr);
  }
  if (s == NATS_OK && !o.tls_ca.empty()) {
    s = natsOptions_SetSecure(opts, true);
    if (s == NATS_OK) s = natsOptions_LoadCATrustedCertificates(opts, o.tls_ca.c_str());
  }
  if (s == NATS_OK && !o.tls_cert.empty()) {
    s = natsOptions_LoadCertificatesChain(opts, o.tls_cert.c_str(), o.tls_key.c_str());
  }
  if (s != NATS_OK) {
    natsOptions_Destroy(opts);
    return NatsError(s, "NATS options (URL, credentials or TLS files)");
  }
  const auto give_up = std::chrono::steady_clock::now() + o.connect_wait;
  for (int tries = 0;; ++tries) {
    s = natsConnection_Connect(&link->nc_, opts);
    if (s == NATS_OK || std::chrono::steady_clock::now() >= give_up) break;
    if (tries == 0) spdlog::warn("waiting for NATS at {} ({})", o.url, natsStatus_GetText(s));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  natsOptions_Destroy(opts);
  if (s != NATS_OK) return NatsError(s, absl::StrCat("connecting to NATS at ", o.url));
  if (absl::Status set_up = link->SetUp(); !set_up.ok()) return set_up;
  link->heartbeat_ = std::thread([l = link.get()] { l->Heartbeat(); });
  spdlog::info("cluster: node {} on NATS {} (advertised as {})", o.node_id, o.url, o.advertise);
  return link;
}

absl::Status NatsLink::SetUp() {
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = 5000;
  if (absl::Status s = NatsError(natsConnection_JetStream(&js_, nc_, &jo), "JetStream context");
      !s.ok()) {
    return s;
  }
  // Jobs: removed once acknowledged; a job queued again within 10 minutes is dropped; at most
  // max_jobs queued or being judged.
  if (absl::Status s =
          EnsureStream(js_, kJobsStream, kJobsSubject, js_WorkQueuePolicy, options_.replicas,
                       10 * 60 * kNanosPerSecond, 0, options_.max_jobs);
      !s.ok()) {
    return s;
  }
  // Results: kept until the owner takes them, for a week at most (then judged again).
  if (absl::Status s = EnsureStream(js_, kResultsStream, "judge.results.>", js_LimitsPolicy,
                                    options_.replicas, 0, 7 * 24 * 3600 * kNanosPerSecond);
      !s.ok()) {
    return s;
  }
  // Challenges: the newest message of each subject, kept for ever.
  if (absl::Status s = EnsureStream(js_, kChallengesStream, "judge.challenges.>", js_LimitsPolicy,
                                    options_.replicas, 0, 0, 0, /*max_msgs_per_subject=*/1);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<kvStore*> requests =
      EnsureBucket(js_, "judge-requests", 30LL * 24 * 3600 * kNanosPerSecond, options_.replicas);
  if (!requests.ok()) return requests.status();
  requests_ = *requests;
  absl::StatusOr<kvStore*> nodes = EnsureBucket(
      js_, "judge-nodes", options_.node_ttl.count() * kNanosPerSecond, options_.replicas);
  if (!nodes.ok()) return nodes.status();
  nodes_ = *nodes;

  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Config.AckPolicy = js_AckExplicit;
  so.Config.AckWait = options_.lease.count() * kNanosPerSecond;
  so.Config.MaxAckPending = 10000;
  jsErrCode code = static_cast<jsErrCode>(0);
  if (absl::Status s = AdoptLease(so.Config.AckWait); !s.ok()) return s;
  if (absl::Status s =
          NatsError(js_PullSubscribe(&jobs_, js_, kJobsSubject, kWorkers, nullptr, &so, &code),
                    "subscribing to the job queue", code);
      !s.ok()) {
    return s;
  }
  jsSubOptions_Init(&so);
  so.Config.AckPolicy = js_AckExplicit;
  so.Config.AckWait = 30 * kNanosPerSecond;
  so.Config.DeliverPolicy = js_DeliverAll;
  const std::string subject = absl::StrCat("judge.results.", options_.node_id);
  const std::string durable = absl::StrCat("results-", options_.node_id);
  return NatsError(
      js_PullSubscribe(&results_, js_, subject.c_str(), durable.c_str(), nullptr, &so, &code),
      "subscribing to this node's results", code);
}

absl::Status NatsLink::AdoptLease(int64_t ack_wait_ns) {
  // The shared consumer has one lease for every node; a node started with another --lease-s
  // (a rolling change) sets it for all, rather than failing to subscribe.
  jsConsumerInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&info, js_, kJobsStream, kWorkers, nullptr, &code);
  if (s == NATS_NOT_FOUND || code == JSConsumerNotFoundErr) return absl::OkStatus();  // ours
  if (s != NATS_OK) return NatsError(s, "looking up the job queue's consumer", code);
  absl::Status result = absl::OkStatus();
  if (info->Config->AckWait != ack_wait_ns) {
    jsConsumerConfig cfg = *info->Config;
    cfg.AckWait = ack_wait_ns;
    result = NatsError(js_UpdateConsumer(nullptr, js_, kJobsStream, &cfg, nullptr, &code),
                       "changing the lease of the job queue's consumer", code);
    if (result.ok()) {
      spdlog::warn("the lease of jobs on every node is now {} s (it was {} s): --lease-s",
                   ack_wait_ns / kNanosPerSecond, info->Config->AckWait / kNanosPerSecond);
    }
  }
  jsConsumerInfo_Destroy(info);
  return result;
}

NatsLink::~NatsLink() {
  Stop();
  if (jobs_ != nullptr) natsSubscription_Destroy(jobs_);
  if (results_ != nullptr) natsSubscription_Destroy(results_);
  if (challenges_ != nullptr) natsSubscription_Destroy(challenges_);
  if (requests_ != nullptr) kvStore_Destroy(requests_);
  if (nodes_ != nullptr) kvStore_Destroy(nodes_);
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (nc_ != nullptr) natsConnection_Destroy(nc_);
}

void NatsLink::Stop() {
  if (stopping_.exchange(true)) return;
  if (challenges_ != nullptr) natsSubscription_Unsubscribe(challenges_);
  if (heartbeat_.joinable()) heartbeat_.join();
  if (results_reader_.joinable()) results_reader_.join();
  // Gone at once from membership: calls for our submissions fail fast, not at the TTL.
  if (nodes_ != nullptr) (void)kvStore_Delete(nodes_, options_.node_id.c_str());
  if (nc_ != nullptr) natsConnection_FlushTimeout(nc_, 1000);
}

bool NatsLink::Connected() const {
  return natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED;
}

absl::Status NatsLink::Enqueue(const judge::v1::Submission& submission, int attempt) {
  const std::string data = submission.SerializeAsString();
  const std::string msg_id = absl::StrCat(submission.id(), "#", attempt);
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MsgId = msg_id.c_str();
  po.MaxWait = 3000;
  jsPubAck* ack = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s =
      js_Publish(&ack, js_, kJobsSubject, data.data(), static_cast<int>(data.size()), &po, &code);
  if (ack != nullptr) jsPubAck_Destroy(ack);
  const char* error = s == NATS_OK ? nullptr : nats_GetLastError(nullptr);
  if (error != nullptr && absl::StrContains(error, "maximum messages exceeded")) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the cluster's queue is full (", options_.max_jobs,
                     " submissions queued or being judged); retry later"));
  }
  return NatsError(s, "queueing the job on NATS", code);
}

std::unique_ptr<Job> NatsLink::NextJob(std::chrono::milliseconds wait) {
  if (stopping_) return nullptr;
  natsMsgList list{};
  natsStatus s;
  {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    s = natsSubscription_Fetch(&list, jobs_, 1, wait.count(), nullptr);
  }
  if (s != NATS_OK || list.Count == 0) {
    if (s != NATS_OK && s != NATS_TIMEOUT) {
      // NATS away: do not spin.
      std::this_thread::sleep_for(std::min(wait, std::chrono::milliseconds(250)));
    }
    natsMsgList_Destroy(&list);
    return nullptr;
  }
  natsMsg* msg = list.Msgs[0];
  list.Msgs[0] = nullptr;
  natsMsgList_Destroy(&list);
  judge::v1::Submission submission;
  if (!submission.ParseFromArray(natsMsg_GetData(msg), natsMsg_GetDataLength(msg))) {
    spdlog::error("cluster: a malformed job on the queue; dropped");
    (void)natsMsg_Term(msg, nullptr);
    natsMsg_Destroy(msg);
    return nullptr;
  }
  return std::make_unique<NatsJob>(msg, std::move(submission));
}

absl::Status NatsLink::SendResult(const judge::v1::SubmissionEvent& event) {
  const std::string owner = OwnerOf(event.submission_id());
  if (owner.empty()) return absl::InvalidArgumentError("a submission id without an owner");
  const std::string subject = absl::StrCat("judge.results.", owner);
  const std::string data = event.SerializeAsString();
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = 3000;
  jsPubAck* ack = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_Publish(&ack, js_, subject.c_str(), data.data(), static_cast<int>(data.size()),
                            &po, &code);
  if (ack != nullptr) jsPubAck_Destroy(ack);
  return NatsError(s, "sending a result on NATS", code);
}

void NatsLink::ReceiveResults(ApplyResult apply) {
  apply_ = std::move(apply);
  results_reader_ = std::thread([this] { ReadResults(); });
}

void NatsLink::ReadResults() {
  while (!stopping_) {
    natsMsgList list{};
    natsStatus s = natsSubscription_Fetch(&list, results_, 64, 1000, nullptr);
    if (s != NATS_OK && s != NATS_TIMEOUT)
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    for (int i = 0; i < list.Count; ++i) {
      natsMsg* msg = list.Msgs[i];
      judge::v1::SubmissionEvent event;
      if (!event.ParseFromArray(natsMsg_GetData(msg), natsMsg_GetDataLength(msg))) {
        spdlog::error("cluster: a malformed result; dropped");
        (void)natsMsg_Term(msg, nullptr);
        continue;
      }
      absl::Status applied = apply_(event);
      if (applied.ok()) {
        (void)natsMsg_Ack(msg, nullptr);
      } else {
        spdlog::error("submission={} result not applied ({}); again later", event.submission_id(),
                      std::string(applied.message()));
        (void)natsMsg_NakWithDelay(msg, 2000, nullptr);
      }
    }
    natsMsgList_Destroy(&list);
  }
}

absl::StatusOr<std::string> NatsLink::ClaimRequest(const std::string& key,
                                                   const std::string& value) {
  uint64_t revision = 0;
  natsStatus s = kvStore_Create(&revision, requests_, key.c_str(), value.data(),
                                static_cast<int>(value.size()));
  if (s == NATS_OK) return value;
  absl::StatusOr<std::string> existing = LookupRequest(key);
  if (existing.ok()) return existing;
  return NatsError(s, "claiming the request id on NATS");
}

absl::StatusOr<std::string> NatsLink::LookupRequest(const std::string& key) {
  kvEntry* entry = nullptr;
  natsStatus s = kvStore_Get(&entry, requests_, key.c_str());
  if (s != NATS_OK) return NatsError(s, "looking up the request id on NATS");
  std::string value(static_cast<const char*>(kvEntry_Value(entry)), kvEntry_ValueLen(entry));
  kvEntry_Destroy(entry);
  return value;
}

void NatsLink::ForgetRequest(const std::string& key) {
  (void)kvStore_Delete(requests_, key.c_str());
}

void NatsLink::Heartbeat() {
  // Our own entry every second; everyone's read back through a watcher.
  kvWatcher* watcher = nullptr;
  auto last_put = std::chrono::steady_clock::time_point();
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_put >= std::chrono::seconds(1)) {
      uint64_t revision = 0;
      if (kvStore_PutString(&revision, nodes_, options_.node_id.c_str(),
                            options_.advertise.c_str()) == NATS_OK) {
        last_put = now;
      }
    }
    if (watcher == nullptr && kvStore_WatchAll(&watcher, nodes_, nullptr) != NATS_OK) {
      watcher = nullptr;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      continue;
    }
    kvEntry* entry = nullptr;
    natsStatus s = kvWatcher_Next(&entry, watcher, 250);
    if (s == NATS_OK && entry != nullptr) {
      std::lock_guard<std::mutex> lock(nodes_mu_);
      if (kvEntry_Operation(entry) == kvOp_Put) {
        seen_[kvEntry_Key(entry)] = {kvEntry_ValueString(entry), std::chrono::steady_clock::now()};
      } else {
        seen_.erase(kvEntry_Key(entry));
      }
      kvEntry_Destroy(entry);
    } else if (s != NATS_OK && s != NATS_TIMEOUT) {
      kvWatcher_Destroy(watcher);
      watcher = nullptr;
    }
  }
  if (watcher != nullptr) kvWatcher_Destroy(watcher);
}

std::map<std::string, std::string> NatsLink::Nodes() const {
  std::map<std::string, std::string> alive;
  const auto now = std::chrono::steady_clock::now();
  // While NATS itself is away no heartbeat arrives: the last known addresses are used (a peer
  // that is gone then fails its call within the peer timeout).
  const bool blind = !Connected();
  {
    std::lock_guard<std::mutex> lock(nodes_mu_);
    for (const auto& [node, seen] : seen_) {
      if (blind || now - seen.second < options_.node_ttl) alive[node] = seen.first;
    }
  }
  alive[options_.node_id] = options_.advertise;
  return alive;
}

absl::StatusOr<std::string> NatsLink::LastOf(const std::string& subject) {
  natsMsg* msg = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetLastMsg(&msg, js_, kChallengesStream, subject.c_str(), nullptr, &code);
  if (s == NATS_NOT_FOUND || code == JSNoMessageFoundErr) {
    return absl::NotFoundError(absl::StrCat("nothing under ", subject));
  }
  if (s != NATS_OK) return NatsError(s, absl::StrCat("reading ", subject), code);
  std::string data(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  natsMsg_Destroy(msg);
  return data;
}

absl::Status NatsLink::PublishChallenge(const judge::v1::StoredChallenge& record,
                                        const std::map<std::string, std::string>& blobs) {
  for (const auto& [sha, bytes] : blobs) {
    // Its first chunk there: the whole file is (chunks are published in order, the record last).
    const std::string last_chunk = absl::StrCat(
        "judge.challenges.blob.", sha, ".", bytes.empty() ? 0 : (bytes.size() - 1) / kChunkBytes);
    if (LastOf(last_chunk).ok()) continue;
    for (size_t off = 0, n = 0; off < bytes.size() || (off == 0 && n == 0);
         off += kChunkBytes, ++n) {
      const std::string subject = absl::StrCat("judge.challenges.blob.", sha, ".", n);
      const size_t len = std::min(kChunkBytes, bytes.size() - off);
      jsErrCode code = static_cast<jsErrCode>(0);
      if (absl::Status s =
              NatsError(js_Publish(nullptr, js_, subject.c_str(), bytes.data() + off,
                                   static_cast<int>(len), nullptr, &code),
                        absl::StrCat("sharing a file of challenge ", record.id()), code);
          !s.ok()) {
        return s;
      }
      if (bytes.empty()) break;
    }
  }
  const std::string data = record.SerializeAsString();
  const std::string subject = absl::StrCat("judge.challenges.version.", record.id());
  jsErrCode code = static_cast<jsErrCode>(0);
  return NatsError(js_Publish(nullptr, js_, subject.c_str(), data.data(),
                              static_cast<int>(data.size()), nullptr, &code),
                   absl::StrCat("sharing challenge ", record.id()), code);
}

absl::StatusOr<judge::v1::StoredChallenge> NatsLink::LatestChallenge(const std::string& id) {
  absl::StatusOr<std::string> data = LastOf(absl::StrCat("judge.challenges.version.", id));
  if (!data.ok()) return data.status();
  judge::v1::StoredChallenge record;
  if (!record.ParseFromString(*data)) {
    return absl::DataLossError(absl::StrCat("the shared record of challenge ", id, " is corrupt"));
  }
  return record;
}

absl::StatusOr<std::string> NatsLink::FetchBlob(const std::string& sha256, uint64_t size) {
  std::string bytes;
  const uint64_t chunks = size == 0 ? 1 : (size + kChunkBytes - 1) / kChunkBytes;
  for (uint64_t n = 0; n < chunks; ++n) {
    absl::StatusOr<std::string> chunk =
        LastOf(absl::StrCat("judge.challenges.blob.", sha256, ".", n));
    if (!chunk.ok()) return chunk.status();
    bytes += *chunk;
  }
  if (bytes.size() != size) {
    return absl::DataLossError(
        absl::StrCat("shared file ", sha256, " has ", bytes.size(), " bytes, not ", size));
  }
  return bytes;
}

void NatsLink::WatchChallenges(std::function<void(const judge::v1::StoredChallenge&)> on_version) {
  on_challenge_ = std::move(on_version);
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Config.DeliverPolicy = js_DeliverLastPerSubject;
  so.Config.AckPolicy = js_AckNone;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_Subscribe(
      &challenges_, js_, "judge.challenges.version.>",
      [](natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
        auto* self = static_cast<NatsLink*>(closure);
        judge::v1::StoredChallenge record;
        if (record.ParseFromArray(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)) &&
            !self->stopping_) {
          self->on_challenge_(record);
        }
        natsMsg_Destroy(msg);
      },
      this, nullptr, &so, &code);
  if (s != NATS_OK) {
    spdlog::error("cluster: not told of imported challenges: {}",
                  std::string(NatsError(s, "subscribing", code).message()));
  }
}

}  // namespace judge
