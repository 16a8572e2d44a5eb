// Helpers for probe tests that start real servers on 127.0.0.1: child
// processes (killed with their process group when the object goes away),
// free ports, scratch directories, and small fake servers.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "config/probe_config.h"

namespace pharos::probe::testing {

// Binds the socket `fd` to 127.0.0.1 on a port the kernel picks; returns it.
uint16_t BindLoopback(int fd);
// A port free on 127.0.0.1 at the time of the call.
uint16_t FreePort();
// True once something accepts TCP connections on 127.0.0.1:port.
bool WaitForPort(uint16_t port, int timeout_ms);
// A fresh directory under the test's temporary directory.
std::string MakeTempDir(const std::string& prefix);
// Runs a command to completion; returns its exit status (-1 if it could not run).
int Run(const std::vector<std::string>& argv, bool quiet = true);

class Process {
 public:
  // `as_user`: when non-empty and running as root, the child runs as that
  // user (runuser -u USER --).
  Process(std::vector<std::string> argv, const std::string& as_user = "", const std::string& log_file = "");
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // SIGTERM, then SIGKILL after a grace period; waits for the exit.
  void Stop();

 private:
  pid_t pid_ = -1;
};

// A PostgreSQL 15 server (initdb with SCRAM and the password, postgres on a
// free port, fsync off), stopped and removed on destruction. `available()`
// is false when the binaries are missing.
class Postgres {
 public:
  explicit Postgres(const std::string& password);
  ~Postgres();
  bool available() const { return available_; }
  bool Start();  // (re)starts on the same port and data directory
  void Stop();
  void Pause();   // SIGSTOP: connections hang (a too-slow server)
  void Resume();  // SIGCONT
  uint16_t port() const { return port_; }

 private:
  bool available_ = false;
  std::string dir_;
  std::string user_;
  uint16_t port_ = 0;
  std::unique_ptr<Process> proc_;
};

// redis-server on a free port with `requirepass` (empty: none).
class Redis {
 public:
  explicit Redis(const std::string& password);
  bool available() const { return available_; }
  // Plain TCP; with `tls_dir` (holding cert.pem and key.pem) TLS only.
  bool Start(const std::string& tls_dir = "");
  void Stop();
  void Pause();
  void Resume();
  uint16_t port() const { return port_; }

 private:
  bool available_ = false;
  std::string password_;
  std::string dir_;
  uint16_t port_ = 0;
  std::unique_ptr<Process> proc_;
};

// A TCP server on 127.0.0.1 that hands each accepted connection (one at a
// time) to `serve` with its file descriptor, then closes it.
class FakeTcpServer {
 public:
  explicit FakeTcpServer(std::function<void(int fd)> serve);
  ~FakeTcpServer();
  uint16_t port() const { return port_; }
  int connections() const { return connections_.load(); }

 private:
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// Module "m" of a module file whose `modules:` entry is `body` (indented by
// four spaces); fails the test when it does not load.
config::ProbeModule TestModule(std::string_view body);

// Reads exactly n bytes or until EOF/1s without data; returns what it read.
std::string ReadN(int fd, size_t n);
bool WriteAll(int fd, const std::string& data);
// Reads one "\n"-terminated line (without it); "" on EOF.
std::string ReadLine(int fd);

}  // namespace pharos::probe::testing
