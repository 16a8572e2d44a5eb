#include "probe/testing/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include <gtest/gtest.h>

namespace pharos::probe::testing {

uint16_t BindLoopback(int fd) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  uint16_t port = BindLoopback(fd);
  close(fd);
  return port;
}

bool WaitForPort(uint16_t port, int timeout_ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < until) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    if (ok) return true;
    usleep(50'000);
  }
  return false;
}

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = ::testing::TempDir() + "/" + prefix + "XXXXXX";
  char* d = mkdtemp(tmpl.data());
  return d ? std::string(d) : "";
}

namespace {

pid_t Spawn(const std::vector<std::string>& argv, const std::string& as_user, const std::string& log_file) {
  std::vector<std::string> full;
  if (!as_user.empty() && geteuid() == 0) full = {"runuser", "-u", as_user, "--"};
  full.insert(full.end(), argv.begin(), argv.end());
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    int out = open(log_file.empty() ? "/dev/null" : log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(out, 1);
    dup2(out, 2);
    std::vector<char*> args;
    for (auto& s : full) args.push_back(s.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

int Run(const std::vector<std::string>& argv, bool quiet) {
  pid_t pid = Spawn(argv, "", quiet ? "" : "/dev/stderr");
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Process::Process(std::vector<std::string> argv, const std::string& as_user, const std::string& log_file) {
  pid_ = Spawn(argv, as_user, log_file);
}

Process::~Process() { Stop(); }

void Process::Signal(int sig) {
  if (pid_ > 0) kill(-pid_, sig);
}

void Process::Stop() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGCONT);
  kill(-pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    usleep(50'000);
  }
  kill(-pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

Postgres::Postgres(const std::string& password) {
  const std::string bin = "/usr/lib/postgresql/15/bin";
  if (access((bin + "/initdb").c_str(), X_OK) != 0) return;
  dir_ = MakeTempDir("pg");
  if (geteuid() == 0) {
    user_ = "postgres";
    passwd* pw = getpwnam("postgres");
    if (pw == nullptr) return;
    chmod(::testing::TempDir().c_str(), 0777);
    chown(dir_.c_str(), pw->pw_uid, pw->pw_gid);
  }
  std::string pwfile = dir_ + "/pw";
  std::ofstream(pwfile) << password << "\n";
  if (!user_.empty()) {
    passwd* pw = getpwnam("postgres");
    chown(pwfile.c_str(), pw->pw_uid, pw->pw_gid);
  }
  std::vector<std::string> initdb = {bin + "/initdb", "-D", dir_ + "/data", "-U", "postgres",
                                     "--auth=scram-sha-256", "--pwfile=" + pwfile, "-E", "UTF8"};
  if (!user_.empty()) initdb.insert(initdb.begin(), {"runuser", "-u", user_, "--"});
  if (Run(initdb) != 0) return;
  port_ = FreePort();
  available_ = true;
}

Postgres::~Postgres() {
  Stop();
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

bool Postgres::Start() {
  if (!available_) return false;
  proc_ = std::make_unique<Process>(
      std::vector<std::string>{"/usr/lib/postgresql/15/bin/postgres", "-D", dir_ + "/data", "-p",
                               std::to_string(port_), "-k", dir_, "-c", "listen_addresses=127.0.0.1", "-c",
                               "fsync=off"},
      user_, dir_ + "/log");
  return WaitForPort(port_, 30'000) &&
         Run({"/usr/lib/postgresql/15/bin/pg_isready", "-q", "-h", "127.0.0.1", "-p", std::to_string(port_)}) == 0;
}

void Postgres::Stop() { proc_.reset(); }
void Postgres::Pause() {
  if (proc_) proc_->Signal(SIGSTOP);
}
void Postgres::Resume() {
  if (proc_) proc_->Signal(SIGCONT);
}

Redis::Redis(const std::string& password) : password_(password) {
  available_ = access("/usr/bin/redis-server", X_OK) == 0;
  dir_ = MakeTempDir("redis");
  port_ = FreePort();
}

bool Redis::Start(const std::string& tls_dir) {
  if (!available_) return false;
  std::vector<std::string> argv = {"/usr/bin/redis-server", "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                   "no", "--dir", dir_};
  if (tls_dir.empty()) {
    argv.insert(argv.end(), {"--port", std::to_string(port_)});
  } else {
    argv.insert(argv.end(), {"--port", "0", "--tls-port", std::to_string(port_), "--tls-cert-file",
                             tls_dir + "/cert.pem", "--tls-key-file", tls_dir + "/key.pem", "--tls-ca-cert-file",
                             tls_dir + "/cert.pem", "--tls-auth-clients", "no"});
  }
  if (!password_.empty()) {
    argv.push_back("--requirepass");
    argv.push_back(password_);
  }
  proc_ = std::make_unique<Process>(argv, "", dir_ + "/log");
  return WaitForPort(port_, 20'000);
}

void Redis::Stop() { proc_.reset(); }
void Redis::Pause() {
  if (proc_) proc_->Signal(SIGSTOP);
}
void Redis::Resume() {
  if (proc_) proc_->Signal(SIGCONT);
}

FakeTcpServer::FakeTcpServer(std::function<void(int fd)> serve) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  port_ = BindLoopback(listen_fd_);
  listen(listen_fd_, 16);
  thread_ = std::thread([this, serve] {
    while (!stop_.load()) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      connections_.fetch_add(1);
      serve(fd);
      close(fd);
    }
  });
}

FakeTcpServer::~FakeTcpServer() {
  stop_.store(true);
  thread_.join();
  close(listen_fd_);
}

config::ProbeModule TestModule(std::string_view body) {
  auto mods = config::LoadProbeModulesString("modules:\n  m:\n" + std::string(body), "t.yml");
  EXPECT_TRUE(mods.ok()) << mods.status();
  if (!mods.ok()) return config::ProbeModule();
  return mods->modules.at("m");
}

std::string ReadN(int fd, size_t n) {
  std::string out;
  char buf[4096];
  while (out.size() < n) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) break;
    ssize_t got = read(fd, buf, std::min(sizeof buf, n - out.size()));
    if (got <= 0) break;
    out.append(buf, got);
  }
  return out;
}

bool WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += n;
  }
  return true;
}

std::string ReadLine(int fd) {
  std::string out;
  char c;
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) break;
    if (read(fd, &c, 1) != 1 || c == '\n') break;
    out += c;
  }
  return out;
}

}  // namespace pharos::probe::testing
