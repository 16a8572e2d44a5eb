#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "common/metrics/process_collector.h"

namespace pharos::metrics {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& p, const std::string& s) {
  std::ofstream(p) << s;
}

TEST(MetricsProcess, ReadsAFakeProcDirectory) {
  fs::path root = fs::temp_directory_path() / ("pharos_proc_" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "42" / "fd");
  Write(root / "stat", "cpu  1 2 3\nbtime 1700000000\nprocesses 5\n");
  // Field 14/15 utime/stime = 250/150 ticks, 22 starttime = 1000 ticks,
  // 23 vsize, 24 rss pages. The name contains ") (" to test parsing.
  Write(root / "42" / "stat",
        "42 (a) (b) S 1 42 42 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 3 0 1000 104857600 256 "
        "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n");
  Write(root / "42" / "limits",
        "Limit                     Soft Limit           Hard Limit           Units     \n"
        "Max open files            1024                 4096                 files     \n"
        "Max address space         unlimited            unlimited            bytes     \n");
  for (int i = 0; i < 3; ++i) Write(root / "42" / "fd" / std::to_string(i), "");
  auto s = ReadProcessStats((root / "42").string(), root.string());
  ASSERT_TRUE(s.ok()) << s.status();
  double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  EXPECT_DOUBLE_EQ(s->cpu_seconds, 400 / hz);
  EXPECT_DOUBLE_EQ(s->start_time_seconds, 1700000000 + 1000 / hz);
  EXPECT_EQ(s->virtual_bytes, 104857600);
  EXPECT_EQ(s->resident_bytes, 256.0 * sysconf(_SC_PAGESIZE));
  EXPECT_EQ(s->max_fds, 1024);
  EXPECT_EQ(s->open_fds, 3);
  EXPECT_EQ(s->max_virtual_bytes, 18446744073709551615.0);
  fs::remove_all(root);
}

TEST(MetricsProcess, MissingFilesAreErrorsNamingThePath) {
  auto s = ReadProcessStats("/nonexistent/proc/1", "/nonexistent/proc");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("/nonexistent/proc/1/stat"), absl::string_view::npos);
}

TEST(MetricsProcess, CollectorExportsTheGoClientNames) {
  Registry reg;
  RegisterProcessCollector(&reg);
  std::string out;
  reg.WriteText(&out);
  for (const char* name : {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
                           "process_virtual_memory_bytes ", "process_open_fds ", "process_max_fds ",
                           "process_start_time_seconds "}) {
    EXPECT_NE(out.find(std::string("\n") + name), std::string::npos) << name << "\n" << out;
  }
  EXPECT_NE(out.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  auto s = ReadProcessStats();
  ASSERT_TRUE(s.ok());
  EXPECT_GT(s->resident_bytes, 0);
  EXPECT_GT(s->open_fds, 2);
  EXPECT_GT(s->start_time_seconds, 1.6e9);
}

}  // namespace
}  // namespace pharos::metrics
