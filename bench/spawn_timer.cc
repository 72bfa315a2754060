// spawn_timer RUNS CMD1 [ARGS...] , CMD2 [ARGS...] [, ...]
// Starts each command in turn (interleaved, so all see the same machine load) RUNS times with
// posix_spawn (vfork + exec: the cheapest way to start a process, so the figures are the
// commands' own cost, not the harness's), waits for it, and prints the median and p90 wall time
// of each, in ms. A process leaves work behind it (the kernel frees its namespaces, cgroups and
// mounts asynchronously), which lands on whatever runs next. So each timed run comes right
// after an untimed run of the same command: it pays for its own kind's leftovers, as it would
// when run over and over, and never for another command's. Each round takes the commands in a
// new random order (fixed seed). stdout and stderr of the commands go to /dev/null; a command
// that fails is reported and ends the measurement.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

extern char** environ;

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 0;
  if (runs <= 0 || argc < 3) {
    std::fprintf(stderr, "usage: spawn_timer RUNS CMD [ARGS...] [, CMD [ARGS...]]...\n");
    return 2;
  }
  std::vector<std::vector<char*>> cmds(1);
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], ",") == 0) {
      cmds.emplace_back();
    } else {
      cmds.back().push_back(argv[i]);
    }
  }
  for (auto& c : cmds) {
    if (c.empty()) {
      std::fprintf(stderr, "spawn_timer: empty command\n");
      return 2;
    }
    c.push_back(nullptr);
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  std::vector<std::vector<double>> ms(cmds.size());
  std::vector<size_t> order(cmds.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937 rng(42);
  for (int r = 0; r < runs; ++r) {
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t k : order) {
      for (bool timed : {false, true}) {
        auto t0 = std::chrono::steady_clock::now();
        pid_t pid;
        if (int e = posix_spawnp(&pid, cmds[k][0], &fa, nullptr, cmds[k].data(), environ);
            e != 0) {
          std::fprintf(stderr, "spawn_timer: %s: %s\n", cmds[k][0], std::strerror(e));
          return 1;
        }
        int status = 0;
        waitpid(pid, &status, 0);
        const double ms_taken =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        if (timed) ms[k].push_back(ms_taken);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
          std::fprintf(stderr, "spawn_timer: %s failed (status %d)\n", cmds[k][0], status);
          return 1;
        }
      }
    }
  }
  for (size_t k = 0; k < cmds.size(); ++k) {
    std::vector<double>& v = ms[k];
    std::sort(v.begin(), v.end());
    std::printf("%s\t%.2f\t%.2f\n", cmds[k][0], v[v.size() / 2], v[v.size() * 9 / 10]);
  }
  return 0;
}
