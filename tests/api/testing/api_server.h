// Starts an http::Server on 127.0.0.1 with an api::Api registered, and
// talks to it with http::Client, for endpoint tests through real HTTP.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/api.h"
#include "http/client.h"
#include "http/server.h"

namespace pharos::api::testing {

struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
  http::Pairs headers;
  std::string Header(std::string_view name) const;
};

class ApiServer {
 public:
  ApiServer(ApiOptions options, ApiDeps deps);
  ~ApiServer();

  Reply Get(const std::string& target, http::Pairs headers = {});
  Reply PostForm(const std::string& target, const std::string& form);
  Reply Do(const std::string& method, const std::string& target, std::string_view body = "",
           http::Pairs headers = {});

  Api& api() { return *api_; }
  http::Server& server() { return *server_; }
  std::string base() const { return base_; }

 private:
  std::unique_ptr<Api> api_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<http::Client> client_;
  std::string base_;
};

// A TargetsProvider returning what the test put in.
class FakeTargets : public TargetsProvider {
 public:
  std::vector<ActiveTarget> active;
  std::vector<DroppedTarget> dropped;
  std::map<std::string, int> dropped_counts;
  std::vector<ActiveTarget> ActiveTargets() override { return active; }
  std::vector<DroppedTarget> DroppedTargets() override { return dropped; }
  std::map<std::string, int> DroppedTargetCounts() override { return dropped_counts; }
};

class FakeHealth : public HealthProvider {
 public:
  std::vector<ComponentHealth> components;
  std::vector<ComponentHealth> CheckHealth() override { return components; }
};

}  // namespace pharos::api::testing
