// The challenges the judge serves: the built-in ones (loaded at start) and the imported ones,
// which change while the judge runs. A reader takes one challenge, or a snapshot of all, and
// keeps it as long as it needs: an import replaces the entry, never what a reader holds.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "judge/core/challenge.h"

namespace judge {

using ChallengeMap = std::map<std::string, std::shared_ptr<const LoadedChallenge>>;

class Catalog {
 public:
  Catalog() : all_(std::make_shared<const ChallengeMap>()) {}
  explicit Catalog(ChallengeMap built_in)
      : all_(std::make_shared<const ChallengeMap>(std::move(built_in))) {
    for (const auto& [id, ch] : *all_) built_in_.insert(id);
  }

  // The challenge `id` now, or nullptr. In a cluster, one this node lacks is fetched first
  // (see SetFetcher).
  std::shared_ptr<const LoadedChallenge> Find(const std::string& id) const {
    return FindAtLeast(id, 0);
  }
  // The challenge `id` at `version` or newer: an older one is fetched again first; nullptr
  // when the catalog has none (or only an older one, which it returns then).
  std::shared_ptr<const LoadedChallenge> FindAtLeast(const std::string& id,
                                                     uint32_t version) const {
    std::shared_ptr<const LoadedChallenge> ch = Lookup(id);
    if ((ch == nullptr || ch->manifest.version() < version) && fetch_ && !IsBuiltIn(id)) {
      fetch_(id, version);
      if (std::shared_ptr<const LoadedChallenge> fresh = Lookup(id)) ch = fresh;
    }
    return ch;
  }
  // How a missing (or older) challenge is fetched (a cluster's shared store); set before any
  // reader.
  void SetFetcher(std::function<void(const std::string& id, uint32_t version)> fetch) {
    fetch_ = std::move(fetch);
  }
  // Every challenge now, by id.
  std::shared_ptr<const ChallengeMap> All() const {
    std::lock_guard<std::mutex> lock(mu_);
    return all_;
  }
  // Adds or replaces (a new version of) a challenge.
  void Put(std::shared_ptr<const LoadedChallenge> challenge) {
    std::lock_guard<std::mutex> lock(mu_);
    auto next = std::make_shared<ChallengeMap>(*all_);
    (*next)[challenge->manifest.id()] = std::move(challenge);
    all_ = std::move(next);
  }
  std::shared_ptr<const LoadedChallenge> Lookup(const std::string& id) const {
    std::shared_ptr<const ChallengeMap> all = All();
    auto it = all->find(id);
    return it == all->end() ? nullptr : it->second;
  }
  // From the judge's --challenges folder (an import may not take its id).
  bool IsBuiltIn(const std::string& id) const { return built_in_.count(id) > 0; }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const ChallengeMap> all_;
  std::set<std::string> built_in_;  // set before any reader: never changes
  std::function<void(const std::string&, uint32_t)> fetch_;
};

}  // namespace judge
