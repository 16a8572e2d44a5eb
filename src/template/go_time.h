// Go's time.Time as templates see it (Prometheus' toTime, Alertmanager's
// .StartsAt/.EndsAt): printed as Go prints a time ("2015-06-23 13:19:44.128
// +0000 UTC"), with methods Format (Go layouts), Unix, UnixMilli, UnixNano,
// UTC, Local, String, IsZero, Year. Times are UTC.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "template/value.h"

namespace pharos::tmpl {

class TimeObject : public Object {
 public:
  // Seconds and nanoseconds (0..999999999) since the Unix epoch.
  TimeObject(int64_t unix_sec, int32_t nsec) : sec_(unix_sec), nsec_(nsec) {}
  static Value Make(int64_t unix_sec, int32_t nsec);
  // Go's zero time.Time (0001-01-01 00:00:00 UTC).
  static Value Zero();

  std::string TypeName() const override { return "time.Time"; }
  std::optional<absl::StatusOr<Value>> Member(std::string_view name, std::span<const Value> args) const override;
  bool IsMethod(std::string_view name) const override;
  std::string Print() const override;

  // Formats with a Go reference layout ("2006-01-02T15:04:05Z07:00").
  std::string Format(std::string_view layout) const;
  int64_t unix_sec() const { return sec_; }
  int32_t nsec() const { return nsec_; }

 private:
  int64_t sec_;
  int32_t nsec_;
};

}  // namespace pharos::tmpl
