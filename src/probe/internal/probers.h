// The probers behind RunProbe. Each returns whether the probe succeeded and
// records metrics, log lines and the failure reason in `r`.
#pragma once

#include <string_view>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "config/probe_config.h"
#include "probe/result.h"

namespace pharos::probe::internal {

bool ProbeHttp(const config::HttpProbeConfig& c, std::string_view target, absl::Time deadline, ProbeResult* r);
bool ProbeTcp(const config::TcpProbeConfig& c, std::string_view target, absl::Time deadline, ProbeResult* r);
bool ProbeDns(const config::DnsProbeConfig& c, std::string_view target, absl::Time deadline, ProbeResult* r);
bool ProbePostgres(const config::PostgresProbeConfig& c, std::string_view target, absl::Time deadline,
                   ProbeResult* r);
bool ProbeRedis(const config::RedisProbeConfig& c, std::string_view target, absl::Time deadline, ProbeResult* r);
bool ProbeMongodb(const config::MongodbProbeConfig& c, std::string_view target, absl::Time deadline,
                  ProbeResult* r);

}  // namespace pharos::probe::internal
