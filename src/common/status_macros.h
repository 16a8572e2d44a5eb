// Helpers for propagating absl::Status / absl::StatusOr values.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PHAROS_CONCAT_IMPL(a, b) a##b
#define PHAROS_CONCAT(a, b) PHAROS_CONCAT_IMPL(a, b)

// RETURN_IF_ERROR(expr): returns the status of `expr` from the enclosing
// function when it is not OK.
#define RETURN_IF_ERROR(expr)                        \
  do {                                               \
    ::absl::Status _pharos_status = (expr);          \
    if (!_pharos_status.ok()) return _pharos_status; \
  } while (0)

// ASSIGN_OR_RETURN(lhs, expr): evaluates a StatusOr `expr`; returns its status
// when it is an error, otherwise assigns (moves) the value to `lhs`, which may
// be a declaration (`auto x`).
#define ASSIGN_OR_RETURN(lhs, expr) \
  PHAROS_ASSIGN_OR_RETURN_IMPL(PHAROS_CONCAT(_pharos_statusor_, __LINE__), lhs, expr)
#define PHAROS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).status();     \
  lhs = std::move(tmp).value()
