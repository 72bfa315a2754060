// The challenges the judge serves: the built-in ones (loaded at start) and the imported ones,
// which change while the judge runs. A reader takes one challenge, or a snapshot of all, and
// keeps it as long as it needs: an import replaces the entry, never what a reader holds.
#pragma once

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

  // The challenge `id` now, or nullptr.
  std::shared_ptr<const LoadedChallenge> Find(const std::string& id) const {
    std::shared_ptr<const ChallengeMap> all = All();
    auto it = all->find(id);
    return it == all->end() ? nullptr : it->second;
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
  // From the judge's --challenges folder (an import may not take its id).
  bool IsBuiltIn(const std::string& id) const { return built_in_.count(id) > 0; }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const ChallengeMap> all_;
  std::set<std::string> built_in_;  // set before any reader: never changes
};

}  // namespace judge
