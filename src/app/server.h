// The pharos server: everything `pharos [flags]` runs, wired together.
//
//   Server s(flags);
//   RETURN_IF_ERROR(s.Start());   // config, storage, HTTP, scraping
//   s.Reload();                   // what SIGHUP and POST /-/reload do
//   s.Stop();                     // graceful: HTTP, scraping, storage
//
// RunServer() adds the process side: signals (SIGHUP reloads, SIGTERM and
// SIGINT stop) and the exit status.
//
// Threading: Start/Stop from one thread; Reload from any (serialised).
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "app/flags.h"

namespace pharos::app {

// The configuration pharos runs without --config.file: it scrapes itself
// at `self_target` ("127.0.0.1:9090") every 15 seconds.
std::string DefaultConfigYaml(const std::string& self_target);

// The host:port a scrape of this server should use, from the listen address
// and the port it is bound to (wildcard and empty hosts become 127.0.0.1).
std::string SelfTarget(const std::string& listen_address, int port);

class Server {
 public:
  explicit Server(Flags flags);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the configuration (an error names file:line:column), opens the
  // storage, starts the HTTP server and the scrape manager.
  absl::Status Start();
  // Re-reads the configuration file. A bad file is refused with the reason
  // and the running configuration stays.
  absl::Status Reload();
  void Stop();

  int port() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// Runs the server until SIGTERM/SIGINT; SIGHUP reloads. Returns the exit
// status.
int RunServer(const Flags& flags);

}  // namespace pharos::app
