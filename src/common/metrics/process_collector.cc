#include "common/metrics/process_collector.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace pharos::metrics {
namespace {

absl::StatusOr<std::string> ReadAll(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::StatusOr<double> BootTime(const std::string& proc_dir) {
  std::string path = proc_dir + "/stat";
  auto text = ReadAll(path);
  if (!text.ok()) return text.status();
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (absl::ConsumePrefix(&line, "btime ")) {
      double v;
      if (absl::SimpleAtod(line, &v)) return v;
    }
  }
  return absl::DataLossError(absl::StrCat(path, ": no btime line"));
}

// The soft limit of a row of /proc/<pid>/limits ("Max open files  1024  4096  files").
double LimitSoft(const std::string& limits, std::string_view row) {
  for (absl::string_view line : absl::StrSplit(limits, '\n')) {
    if (!absl::ConsumePrefix(&line, AV(row))) continue;
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (f.empty()) return 0;
    if (f[0] == "unlimited") return static_cast<double>(std::numeric_limits<uint64_t>::max());
    double v;
    return absl::SimpleAtod(f[0], &v) ? v : 0;
  }
  return 0;
}

}  // namespace

absl::StatusOr<ProcessStats> ReadProcessStats(const std::string& proc_pid_dir, const std::string& proc_dir) {
  ProcessStats s;
  std::string stat_path = proc_pid_dir + "/stat";
  auto stat = ReadAll(stat_path);
  if (!stat.ok()) return stat.status();
  // The command name may contain spaces and parentheses: fields start after
  // the last ')'.
  size_t close = stat->rfind(')');
  if (close == std::string::npos) return absl::DataLossError(absl::StrCat(stat_path, ": no ')' in stat line"));
  std::vector<absl::string_view> f =
      absl::StrSplit(absl::string_view(*stat).substr(close + 1), ' ', absl::SkipWhitespace());
  // f[0] is field 3 (state); utime is field 14 → f[11].
  if (f.size() < 22) return absl::DataLossError(absl::StrCat(stat_path, ": only ", f.size() + 2, " fields"));
  double utime, stime, starttime, vsize, rss;
  if (!absl::SimpleAtod(f[11], &utime) || !absl::SimpleAtod(f[12], &stime) || !absl::SimpleAtod(f[19], &starttime) ||
      !absl::SimpleAtod(f[20], &vsize) || !absl::SimpleAtod(f[21], &rss)) {
    return absl::DataLossError(absl::StrCat(stat_path, ": malformed numeric field"));
  }
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  s.cpu_seconds = (utime + stime) / hz;
  s.virtual_bytes = vsize;
  s.resident_bytes = rss * static_cast<double>(sysconf(_SC_PAGESIZE));
  auto boot = BootTime(proc_dir);
  if (!boot.ok()) return boot.status();
  s.start_time_seconds = *boot + starttime / hz;

  auto limits = ReadAll(proc_pid_dir + "/limits");
  if (!limits.ok()) return limits.status();
  s.max_fds = LimitSoft(*limits, "Max open files");
  s.max_virtual_bytes = LimitSoft(*limits, "Max address space");

  std::string fd_dir = proc_pid_dir + "/fd";
  DIR* d = opendir(fd_dir.c_str());
  if (d == nullptr) return absl::NotFoundError(absl::StrCat("cannot open ", fd_dir));
  int n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  s.open_fds = n;  // includes the descriptor of the listing itself, as Go's client does
  return s;
}

void RegisterProcessCollector(Registry* registry) {
  registry->AddCollector([](std::vector<FamilySnapshot>* out) {
    auto s = ReadProcessStats();
    if (!s.ok()) return;
    auto add = [out](const char* name, const char* help, MetricType type, double v) {
      FamilySnapshot f;
      f.name = name;
      f.help = help;
      f.type = type;
      f.metrics.emplace_back();
      f.metrics.back().value = v;
      out->push_back(std::move(f));
    };
    add("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", MetricType::kCounter,
        s->cpu_seconds);
    add("process_max_fds", "Maximum number of open file descriptors.", MetricType::kGauge, s->max_fds);
    add("process_open_fds", "Number of open file descriptors.", MetricType::kGauge, s->open_fds);
    add("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::kGauge, s->resident_bytes);
    add("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
        MetricType::kGauge, s->start_time_seconds);
    add("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::kGauge, s->virtual_bytes);
    add("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.",
        MetricType::kGauge, s->max_virtual_bytes);
  });
}

}  // namespace pharos::metrics
