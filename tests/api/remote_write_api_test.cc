#include <snappy.h>

#include <gtest/gtest.h>

#include "api/testing/api_server.h"
#include "common/metrics/registry.h"
#include "storage/memory_storage.h"

namespace pharos::api {
namespace {

using testing::ApiServer;

// Protobuf bytes written out by hand (the encoder lives with the remote
// tests): a Label, a Sample at t=1000 with value 1, and a TimeSeries.
std::string Len(char tag, const std::string& body) { return std::string(1, tag) + char(body.size()) + body; }
std::string Label(const std::string& n, const std::string& v) { return Len('\x0a', n) + Len('\x12', v); }
const std::string kSampleT1000V1 = std::string("\x09\x00\x00\x00\x00\x00\x00\xf0\x3f\x10\xe8\x07", 12);

std::string Body(const std::vector<std::string>& label_messages) {
  std::string ts;
  for (const auto& l : label_messages) ts += Len('\x0a', l);
  ts += Len('\x12', kSampleT1000V1);
  std::string req = Len('\x0a', ts);
  std::string out;
  snappy::Compress(req.data(), req.size(), &out);
  return out;
}

// Fails every commit with the given status.
class FailingAppendable : public storage::Appendable {
 public:
  explicit FailingAppendable(absl::Status s) : status_(std::move(s)) {}
  std::unique_ptr<storage::Appender> NewAppender() override {
    struct A : storage::Appender {
      absl::Status s;
      absl::StatusOr<storage::SeriesRef> Append(storage::SeriesRef, const Labels&, int64_t, double) override {
        return 1;
      }
      absl::Status Commit() override { return s; }
      void Rollback() override {}
    };
    auto a = std::make_unique<A>();
    a->s = status_;
    return a;
  }
  absl::Status status_;
};

class RemoteWriteApiTest : public ::testing::Test {
 protected:
  ApiServer& Server(storage::Appendable* app) {
    ApiDeps deps;
    deps.appendable = app;
    deps.queryable = &store_;
    deps.registry = &registry_;
    server_ = std::make_unique<ApiServer>(ApiOptions{}, std::move(deps));
    return *server_;
  }
  testing::Reply Post(const std::string& body, http::Pairs headers = {{"Content-Type", "application/x-protobuf"},
                                                                      {"Content-Encoding", "snappy"}}) {
    return server_->Do("POST", "/api/v1/write", body, std::move(headers));
  }

  storage::MemoryStorage store_;
  metrics::Registry registry_;
  std::unique_ptr<ApiServer> server_;
};

TEST_F(RemoteWriteApiTest, StoresSamplesAndAnswersNoContent) {
  Server(&store_);
  auto r = Post(Body({Label("__name__", "up"), Label("job", "x")}));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(store_.NumSamples(), 1u);
  // The stored series is visible through the API.
  EXPECT_EQ(server_->Get("/api/v1/series?match[]=up").body,
            R"({"status":"success","data":[{"__name__":"up","job":"x"}]})");
  // Without Content-Type and Content-Encoding the body is taken as 1.0/snappy.
  r = Post(Body({Label("__name__", "up2")}), {});
  EXPECT_EQ(r.status, 204) << r.body;
}

TEST_F(RemoteWriteApiTest, RefusesInvalidRequestsWithBadRequest) {
  Server(&store_);
  auto r = Post(Body({Label("job", "x")}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "series #0 (byte 2) {job=\"x\"}: missing metric name (__name__ label)\n");
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  r = Post("garbage");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "snappy: corrupt input\n");
  EXPECT_EQ(store_.NumSamples(), 0u);
}

TEST_F(RemoteWriteApiTest, RefusesOtherEncodingsAndMessages) {
  Server(&store_);
  auto r = Post(Body({Label("__name__", "up")}), {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(r.body, "gzip encoding (compression) is not accepted by this server; only snappy is acceptable\n");
  r = Post(Body({Label("__name__", "up")}), {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(r.body, "expected application/x-protobuf as the first (media) part, got application/json content-type\n");
  r = Post(Body({Label("__name__", "up")}),
           {{"Content-Type", "application/x-protobuf;proto=io.prometheus.write.v2.Request"}});
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(r.body,
            "io.prometheus.write.v2.Request protobuf message is not accepted by this server; accepted "
            "[prometheus.WriteRequest]\n");
  r = Post(Body({Label("__name__", "up")}), {{"Content-Type", "application/x-protobuf;proto=prometheus.WriteRequest"}});
  EXPECT_EQ(r.status, 204);
}

TEST_F(RemoteWriteApiTest, StorageUnavailableIsServiceUnavailable) {
  FailingAppendable full(absl::UnavailableError("WAL: write 00000042: no space left on device"));
  Server(&full);
  auto r = Post(Body({Label("__name__", "up")}));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "WAL: write 00000042: no space left on device\n");
}

TEST_F(RemoteWriteApiTest, OtherStorageErrorsAreInternal) {
  FailingAppendable broken(absl::InternalError("head: series map corrupted"));
  Server(&broken);
  auto r = Post(Body({Label("__name__", "up")}));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "head: series map corrupted\n");
}

TEST_F(RemoteWriteApiTest, DisabledWithoutAnAppendable) {
  Server(nullptr);
  auto r = Post(Body({Label("__name__", "up")}));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "remote write receiver needs to be enabled with --web.enable-remote-write-receiver\n");
}

}  // namespace
}  // namespace pharos::api
