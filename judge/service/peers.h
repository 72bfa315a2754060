// Peers over gRPC: a call about another node's submission goes to that node with this node's
// assertion for the caller's key (PeerTrust; never the caller's token), bounded by the caller's
// deadline and the peer timeout.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "grpcpp/grpcpp.h"
#include "judge/api/cluster.h"
#include "judge/api/peer_trust.h"
#include "judge/v1/judge.grpc.pb.h"

namespace judge {

// Metadata a cluster's fan-out sends: "node" asks for the receiving node's own submissions.
inline constexpr char kScopeMetadata[] = "x-judge-scope";
// Metadata of a forwarded call: the assertion and its MAC (PeerTrust).
inline constexpr char kPeerMetadata[] = "x-judge-peer";
inline constexpr char kPeerMacMetadata[] = "x-judge-peer-mac";

class GrpcPeers final : public Peers {
 public:
  // `credentials`: how to reach the other nodes (TLS when judged serves TLS, with this node's
  // client certificate for mutual TLS); `trust` vouches for callers.
  GrpcPeers(std::shared_ptr<grpc::ChannelCredentials> credentials, const PeerTrust* trust,
            std::chrono::milliseconds timeout)
      : credentials_(std::move(credentials)), trust_(trust), timeout_(timeout) {}

  absl::StatusOr<judge::v1::Submission> GetSubmission(
      const std::string& address, const Principal& who,
      const judge::v1::GetSubmissionRequest& req) override;
  absl::StatusOr<judge::v1::SubmissionReport> GetReport(
      const std::string& address, const Principal& who,
      const judge::v1::GetReportRequest& req) override;
  absl::StatusOr<judge::v1::ListSubmissionsResponse> ListLocal(
      const std::string& address, const Principal& who,
      const judge::v1::ListSubmissionsRequest& req) override;
  absl::StatusOr<std::function<void()>> Watch(
      const std::string& address, const Principal& who,
      const judge::v1::WatchSubmissionRequest& req,
      std::function<void(judge::v1::SubmissionEvent)> deliver,
      std::function<void(const absl::Status&)> broken) override;
  absl::StatusOr<std::function<void()>> RunLive(
      const std::string& address, const Principal& who, const judge::v1::RunLiveRequest& req,
      std::function<void(judge::v1::SubmissionEvent)> deliver,
      std::function<void(const absl::Status&)> broken) override;
  absl::StatusOr<judge::v1::Session> GetSession(const std::string& address, const Principal& who,
                                                const judge::v1::GetSessionRequest& req) override;
  absl::StatusOr<judge::v1::SessionTimeline> GetSessionTimeline(
      const std::string& address, const Principal& who,
      const judge::v1::GetSessionTimelineRequest& req) override;
  absl::StatusOr<judge::v1::Session> EndSession(const std::string& address, const Principal& who,
                                                const judge::v1::EndSessionRequest& req) override;
  absl::StatusOr<judge::v1::Session> SetSessionNotes(
      const std::string& address, const Principal& who,
      const judge::v1::SetSessionNotesRequest& req) override;
  absl::StatusOr<judge::v1::ListSessionsResponse> ListSessionsLocal(
      const std::string& address, const Principal& who,
      const judge::v1::ListSessionsRequest& req) override;
  std::unique_ptr<PadPeer> JoinPad(const std::string& address, const Principal& who,
                                   const std::string& session_id, int64_t version,
                                   std::function<void(std::string, bool)> deliver) override;

 private:
  judge::v1::JudgeService::Stub* StubFor(const std::string& address);
  // Metadata and deadline of a call on `who`'s behalf.
  void Prepare(grpc::ClientContext* ctx, const std::string& address, const Principal& who,
               bool stream) const;
  absl::Status FromPeer(const grpc::Status& status, const std::string& address) const;
  // A unary call on `who`'s behalf (`this_node_only`: the peer answers from its own store).
  template <typename Resp, typename Req, typename Method>
  absl::StatusOr<Resp> Call(const std::string& address, const Principal& who, const Req& req,
                            Method method, bool this_node_only = false);
  // A server stream of SubmissionEvents on `who`'s behalf, until FINISHED (see Watch); `what`
  // names it in errors ("watch", "run").
  template <typename Req, typename Method>
  absl::StatusOr<std::function<void()>> Events(
      const std::string& address, const Principal& who, const Req& req, const char* what,
      Method method, std::function<void(judge::v1::SubmissionEvent)> deliver,
      std::function<void(const absl::Status&)> broken);

  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  const PeerTrust* trust_;
  std::chrono::milliseconds timeout_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<judge::v1::JudgeService::Stub>> stubs_;
};

}  // namespace judge
