// WriteBlock and the directory helpers of block.h.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "tsdb/block/block.h"
#include "tsdb/block/chunk_files.h"
#include "tsdb/block/index.h"
#include "tsdb/block/packed_file.h"
#include "tsdb/chunkenc/column.h"
#include "tsdb/chunkenc/xor.h"

namespace pharos::tsdb::block {
namespace {

constexpr std::string_view kTmpSuffix = ".tmp";

absl::Status WriteSynced(disk::Env* env, const std::string& path, std::string_view data) {
  ASSIGN_OR_RETURN(auto f, env->NewWritableFile(path));
  RETURN_IF_ERROR(f->Append(data));
  RETURN_IF_ERROR(f->Sync());
  return f->Close();
}

// Samples per columnar chunk in a block. A query decodes whole chunks, so
// one that needs only the end of a block (an instant query's 5 minutes)
// decodes at most this many per series instead of the whole block's; the
// cost is a chunk header and index entry per 120 samples (docs/format/chunks.md).
constexpr size_t kBlockChunkSamples = 120;
static_assert(kBlockChunkSamples <= static_cast<size_t>(chunkenc::kMaxColumnSamples));

// Encodes one series' samples within [mint, maxt] into columnar chunks of
// kBlockChunkSamples samples (the last one of a series may be shorter).
absl::Status WriteSeries(const storage::Series& s, int64_t mint, int64_t maxt, ChunkWriter* cw,
                         IndexSeries* out, uint64_t* samples) {
  auto it = s.Iterator();
  if (!it->Seek(mint)) return it->Err();
  std::vector<storage::Sample> buf;
  std::string enc;
  auto flush = [&]() -> absl::Status {
    if (buf.empty()) return absl::OkStatus();
    enc.clear();
    absl::Status st = chunkenc::EncodeColumnChunk(buf, &enc);
    if (!st.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("series ", s.labels().ToString(), ": ", AV(SV(st.message()))));
    }
    ChunkMeta meta;
    meta.min_time = buf.front().t;
    meta.max_time = buf.back().t;
    ASSIGN_OR_RETURN(meta.ref, cw->Write(chunkenc::Encoding::kColumn, enc));
    out->chunks.push_back(meta);
    *samples += buf.size();
    buf.clear();
    return absl::OkStatus();
  };
  for (;;) {
    storage::Sample smp = it->At();
    if (smp.t > maxt) break;
    buf.push_back(smp);
    if (buf.size() >= kBlockChunkSamples) RETURN_IF_ERROR(flush());
    if (!it->Next()) break;
  }
  RETURN_IF_ERROR(it->Err());
  return flush();
}

absl::StatusOr<std::string> WriteBlockInto(disk::Env* env, const std::string& parent_dir, const std::string& ulid,
                                           const std::string& tmp, storage::SeriesSet* set, int64_t mint,
                                           int64_t maxt, int level, std::vector<std::string> sources) {
  RETURN_IF_ERROR(env->CreateDirs(tmp + "/chunks"));
  ChunkWriter cw(env, tmp + "/chunks");
  std::vector<IndexSeries> series;
  BlockMeta meta;
  bool have_prev = false;
  Labels prev;
  while (set->Next()) {
    const storage::Series& s = set->At();
    if (have_prev && Labels::Compare(prev, s.labels()) >= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("WriteBlock: series not sorted or duplicate: ", s.labels().ToString(), " after ", prev.ToString()));
    }
    prev = s.labels();
    have_prev = true;
    IndexSeries is;
    RETURN_IF_ERROR(WriteSeries(s, mint, maxt, &cw, &is, &meta.stats.num_samples));
    if (is.chunks.empty()) continue;
    meta.stats.num_chunks += is.chunks.size();
    is.labels = s.labels();
    series.push_back(std::move(is));
  }
  RETURN_IF_ERROR(set->Err());
  if (series.empty()) return std::string();
  RETURN_IF_ERROR(cw.Finish());
  ASSIGN_OR_RETURN(std::string index, BuildIndex(series));
  ASSIGN_OR_RETURN(std::string packed, Pack(index));
  RETURN_IF_ERROR(WriteSynced(env, tmp + "/index", packed));

  meta.ulid = ulid;
  meta.min_time = mint;
  meta.max_time = maxt;
  meta.stats.num_series = series.size();
  meta.level = level;
  if (sources.empty()) sources.push_back(ulid);
  std::sort(sources.begin(), sources.end());
  sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
  meta.sources = std::move(sources);
  RETURN_IF_ERROR(WriteSynced(env, tmp + "/meta.json", EncodeMetaJson(meta)));

  RETURN_IF_ERROR(env->SyncDir(tmp + "/chunks"));
  RETURN_IF_ERROR(env->SyncDir(tmp));
  RETURN_IF_ERROR(env->Rename(tmp, parent_dir + "/" + ulid));
  RETURN_IF_ERROR(env->SyncDir(parent_dir));
  return ulid;
}

}  // namespace

absl::StatusOr<std::string> WriteBlock(disk::Env* env, const std::string& parent_dir,
                                       storage::SeriesSet* sorted_series, int64_t mint, int64_t maxt, int level,
                                       std::vector<std::string> sources) {
  if (mint > maxt) return absl::InvalidArgumentError("WriteBlock: mint after maxt");
  if (level < 1) return absl::InvalidArgumentError("WriteBlock: level below 1");
  std::string ulid = NewUlid();
  std::string tmp = absl::StrCat(parent_dir, "/", ulid, AV(kTmpSuffix));
  RETURN_IF_ERROR(env->RemoveAll(tmp));
  auto r = WriteBlockInto(env, parent_dir, ulid, tmp, sorted_series, mint, maxt, level, std::move(sources));
  if (!r.ok() || r->empty()) {
    // Leave nothing behind; the first error is the one that matters.
    (void)env->RemoveAll(tmp);
  }
  return r;
}

absl::Status RemoveTmpBlockDirs(disk::Env* env, const std::string& parent_dir) {
  ASSIGN_OR_RETURN(auto names, env->ListDir(parent_dir));
  bool removed = false;
  for (const auto& n : names) {
    if (!absl::EndsWith(n, AV(kTmpSuffix))) continue;
    RETURN_IF_ERROR(env->RemoveAll(absl::StrCat(parent_dir, "/", n)));
    removed = true;
  }
  if (removed) RETURN_IF_ERROR(env->SyncDir(parent_dir));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ListBlockDirs(disk::Env* env, const std::string& parent_dir) {
  ASSIGN_OR_RETURN(auto names, env->ListDir(parent_dir));
  std::vector<std::string> out;
  for (auto& n : names) {
    if (IsUlid(n) && env->Exists(absl::StrCat(parent_dir, "/", n, "/meta.json"))) out.push_back(std::move(n));
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::Status DeleteBlockDir(disk::Env* env, const std::string& parent_dir, const std::string& ulid) {
  if (!IsUlid(ulid)) return absl::InvalidArgumentError(absl::StrCat("not a block name: \"", ulid, "\""));
  std::string dir = absl::StrCat(parent_dir, "/", ulid);
  std::string tmp = absl::StrCat(dir, AV(kTmpSuffix));
  if (env->Exists(dir)) {
    RETURN_IF_ERROR(env->RemoveAll(tmp));
    RETURN_IF_ERROR(env->Rename(dir, tmp));
    RETURN_IF_ERROR(env->SyncDir(parent_dir));
  }
  RETURN_IF_ERROR(env->RemoveAll(tmp));
  return env->SyncDir(parent_dir);
}

}  // namespace pharos::tsdb::block
