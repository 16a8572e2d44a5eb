// Block::Open and the block querier.
#include "tsdb/block/block.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "tsdb/block/chunk_files.h"
#include "tsdb/block/index.h"
#include "tsdb/block/packed_file.h"
#include "tsdb/chunkenc/column.h"
#include "tsdb/chunkenc/xor.h"

namespace pharos::tsdb::block {

struct Block::Data {
  std::unique_ptr<disk::ReadOnlyFile> index_file;
  std::string index_unpacked;  // the index when stored packed (packed_file.h)
  std::unique_ptr<IndexReader> index;
  std::unique_ptr<ChunkReader> chunks;
  int64_t min_time = 0;
  int64_t max_time = 0;
};

namespace {

using storage::Sample;

bool Overlaps(const ChunkMeta& c, int64_t mint, int64_t maxt) { return c.min_time <= maxt && c.max_time >= mint; }

// Samples of one series: its chunks in order, decoded lazily, clipped to
// [mint, maxt].
class BlockSeriesIterator final : public storage::SampleIterator {
 public:
  BlockSeriesIterator(std::shared_ptr<const Block::Data> data, std::vector<ChunkMeta> chunks, int64_t mint,
                      int64_t maxt)
      : data_(std::move(data)), chunks_(std::move(chunks)), mint_(mint), maxt_(maxt) {}
  BlockSeriesIterator(const BlockSeriesIterator&) = delete;
  BlockSeriesIterator& operator=(const BlockSeriesIterator&) = delete;

  bool Next() override {
    for (;;) {
      if (done_) return false;
      if (!in_chunk_ && !LoadChunk(next_chunk_)) return false;
      if (it_->Next()) {
        int64_t t = it_->At().t;
        if (t > maxt_) return Finish();
        if (t >= mint_) {
          positioned_ = true;
          return true;
        }
        continue;
      }
      if (!it_->Err().ok()) return Fail(it_->Err());
      in_chunk_ = false;
    }
  }

  bool Seek(int64_t t) override {
    if (done_) return false;
    t = std::max(t, mint_);
    if (in_chunk_ && positioned_ && it_->At().t >= t) return true;
    // Skip whole chunks that end before t.
    size_t first = in_chunk_ ? next_chunk_ - 1 : next_chunk_;
    while (first < chunks_.size() && chunks_[first].max_time < t) ++first;
    if (!in_chunk_ || first != next_chunk_ - 1) {
      if (!LoadChunk(first)) return false;
    }
    for (;;) {
      if (it_->Seek(t)) {
        positioned_ = true;
        if (it_->At().t > maxt_) return Finish();
        return true;
      }
      if (!it_->Err().ok()) return Fail(it_->Err());
      if (!LoadChunk(next_chunk_)) return false;
    }
  }

  Sample At() const override { return it_->At(); }
  absl::Status Err() const override { return err_; }

  bool AppendUntil(int64_t maxt, std::vector<Sample>* out) override {
    int64_t lim = std::min(maxt, maxt_);
    for (;;) {
      if (done_) return false;
      if (it_->AppendUntil(lim, out)) {
        if (it_->At().t > maxt_) return Finish();
        return true;
      }
      if (!it_->Err().ok()) return Fail(it_->Err());
      in_chunk_ = false;
      if (!Next()) return false;
    }
  }

 private:
  bool LoadChunk(size_t i) {
    positioned_ = false;
    if (i >= chunks_.size()) return Finish();
    auto chunk = data_->chunks->Chunk(chunks_[i].ref);
    if (!chunk.ok()) return Fail(chunk.status());
    if (chunk->encoding == chunkenc::Encoding::kColumn) {
      col_.Reset(chunk->bytes);  // decodes it whole; the frame is not kept
      it_ = &col_;
    } else {
      hold_ = std::move(chunk->hold);
      xor_.Reset(chunk->bytes);
      it_ = &xor_;
    }
    in_chunk_ = true;
    next_chunk_ = i + 1;
    return true;
  }
  bool Finish() {
    done_ = true;
    return false;
  }
  bool Fail(absl::Status s) {
    err_ = std::move(s);
    return Finish();
  }

  std::shared_ptr<const Block::Data> data_;
  std::vector<ChunkMeta> chunks_;
  int64_t mint_, maxt_;
  chunkenc::XorIterator xor_;
  chunkenc::ColumnIterator col_;
  std::shared_ptr<const std::string> hold_;  // keeps xor_'s bytes alive
  storage::SampleIterator* it_ = &xor_;
  size_t next_chunk_ = 0;
  bool in_chunk_ = false;
  bool positioned_ = false;  // it_ is on a sample (after Seek)
  bool done_ = false;
  absl::Status err_;
};

class BlockSeries final : public storage::Series {
 public:
  const Labels& labels() const override { return labels_; }
  std::unique_ptr<storage::SampleIterator> Iterator() const override {
    return std::make_unique<BlockSeriesIterator>(data_, chunks_, mint_, maxt_);
  }
  std::shared_ptr<const Block::Data> data_;
  Labels labels_;
  std::vector<ChunkMeta> chunks_;
  int64_t mint_ = 0, maxt_ = 0;
};

class BlockSeriesSet final : public storage::SeriesSet {
 public:
  BlockSeriesSet(std::shared_ptr<const Block::Data> data, std::unique_ptr<Postings> p, int64_t mint, int64_t maxt)
      : postings_(std::move(p)) {
    cur_.data_ = std::move(data);
    cur_.mint_ = mint;
    cur_.maxt_ = maxt;
  }
  bool Next() override {
    if (!err_.ok()) return false;
    while (postings_->Next()) {
      absl::Status s = cur_.data_->index->Series(postings_->At(), &cur_.labels_, &chunks_);
      if (!s.ok()) {
        err_ = s;
        return false;
      }
      cur_.chunks_.clear();
      for (const auto& c : chunks_) {
        if (Overlaps(c, cur_.mint_, cur_.maxt_)) cur_.chunks_.push_back(c);
      }
      if (!cur_.chunks_.empty()) return true;
    }
    err_ = postings_->Err();
    return false;
  }
  const storage::Series& At() const override { return cur_; }
  absl::Status Err() const override { return err_; }

 private:
  std::unique_ptr<Postings> postings_;
  BlockSeries cur_;
  std::vector<ChunkMeta> chunks_;
  absl::Status err_;
};

std::unique_ptr<Postings> MergeValues(const IndexReader& ix, const std::string& name,
                                      const std::vector<std::string_view>& values) {
  std::vector<std::unique_ptr<Postings>> ps;
  ps.reserve(values.size());
  for (auto v : values) ps.push_back(ix.PostingsFor(name, v));
  return Merge(std::move(ps));
}

// Values of m's label that m accepts (want=true) or rejects (want=false).
std::vector<std::string_view> ValuesWhere(const IndexReader& ix, const Matcher& m, bool want) {
  std::vector<std::string_view> out;
  for (auto v : ix.LabelValues(m.name())) {
    if (m.Matches(v) == want) out.push_back(v);
  }
  return out;
}

// Series matching all of `ms`, as Prometheus resolves matchers: matchers that
// reject "" select the postings of the values they accept; matchers that
// accept "" (so also series without the label) subtract the postings of the
// values they reject. Literal and set matchers look postings up directly.
std::unique_ptr<Postings> PostingsForMatchers(const IndexReader& ix, const Matchers& ms) {
  std::vector<std::unique_ptr<Postings>> its, drops;
  for (const auto& m : ms) {
    const auto& set = m.SetMatches();
    if (!m.MatchesEmpty()) {
      if (m.type() == MatchType::kEqual) {
        its.push_back(ix.PostingsFor(m.name(), m.value()));
      } else if (m.type() == MatchType::kRegexMatch && !set.empty()) {
        its.push_back(MergeValues(ix, m.name(), {set.begin(), set.end()}));
      } else {
        its.push_back(MergeValues(ix, m.name(), ValuesWhere(ix, m, true)));
      }
    } else {
      if (m.type() == MatchType::kNotEqual) {
        drops.push_back(ix.PostingsFor(m.name(), m.value()));
      } else if (m.type() == MatchType::kRegexNoMatch && !set.empty()) {
        drops.push_back(MergeValues(ix, m.name(), {set.begin(), set.end()}));
      } else {
        auto rejected = ValuesWhere(ix, m, false);
        if (!rejected.empty()) drops.push_back(MergeValues(ix, m.name(), rejected));
      }
    }
  }
  if (its.empty()) its.push_back(ix.AllPostings());
  std::unique_ptr<Postings> p = its.size() == 1 ? std::move(its[0]) : Intersect(std::move(its));
  if (!drops.empty()) p = Without(std::move(p), Merge(std::move(drops)));
  return p;
}

class BlockQuerier final : public storage::Querier {
 public:
  BlockQuerier(std::shared_ptr<const Block::Data> data, int64_t mint, int64_t maxt)
      : data_(std::move(data)), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<storage::SeriesSet> Select(bool, const storage::SelectHints*, const Matchers& ms) override {
    return std::make_unique<BlockSeriesSet>(data_, PostingsForMatchers(*data_->index, ms), mint_, maxt_);
  }

  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name, const Matchers& ms) override {
    std::vector<std::string> out;
    if (ms.empty() && Covers()) {
      for (auto v : data_->index->LabelValues(name)) out.emplace_back(v);
      return out;
    }
    RETURN_IF_ERROR(ForEachSeries(ms, [&](const Labels& ls) {
      std::string_view v = ls.Get(name);
      if (!v.empty()) out.emplace_back(v);
    }));
    SortUnique(&out);
    return out;
  }

  absl::StatusOr<std::vector<std::string>> LabelNames(const Matchers& ms) override {
    std::vector<std::string> out;
    if (ms.empty() && Covers()) {
      for (auto n : data_->index->LabelNames()) out.emplace_back(n);
      return out;
    }
    RETURN_IF_ERROR(ForEachSeries(ms, [&](const Labels& ls) {
      for (const auto& l : ls) out.push_back(l.name);
    }));
    SortUnique(&out);
    return out;
  }

 private:
  // True when every series of the block has samples in the querier's range.
  bool Covers() const { return mint_ <= data_->min_time && maxt_ >= data_->max_time; }

  template <typename F>
  absl::Status ForEachSeries(const Matchers& ms, F f) {
    BlockSeriesSet set(data_, PostingsForMatchers(*data_->index, ms), mint_, maxt_);
    while (set.Next()) f(set.At().labels());
    return set.Err();
  }

  static void SortUnique(std::vector<std::string>* v) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }

  std::shared_ptr<const Block::Data> data_;
  int64_t mint_, maxt_;
};

}  // namespace

Block::~Block() = default;

absl::StatusOr<std::unique_ptr<Block>> Block::Open(disk::Env* env, const std::string& dir) {
  auto b = std::unique_ptr<Block>(new Block());
  b->dir_ = dir;
  std::string meta_path = dir + "/meta.json";
  ASSIGN_OR_RETURN(std::string meta_json, env->ReadFile(meta_path));
  auto meta = ParseMetaJson(meta_json);
  if (!meta.ok()) {
    return absl::Status(meta.status().code(), absl::StrCat(meta_path, ": ", AV(SV(meta.status().message()))));
  }
  b->meta_ = *std::move(meta);
  auto data = std::make_shared<Data>();
  std::string index_path = dir + "/index";
  ASSIGN_OR_RETURN(data->index_file, env->OpenReadOnly(index_path));
  std::string_view index_bytes = data->index_file->Data();
  if (IsPacked(index_bytes)) {
    auto raw = Unpack(index_bytes);
    if (!raw.ok()) return absl::DataLossError(absl::StrCat(index_path, ": ", AV(SV(raw.status().message()))));
    data->index_unpacked = *std::move(raw);
    index_bytes = data->index_unpacked;
  }
  ASSIGN_OR_RETURN(data->index, IndexReader::Open(index_bytes, index_path));
  ASSIGN_OR_RETURN(data->chunks, ChunkReader::Open(env, dir + "/chunks"));
  data->min_time = b->meta_.min_time;
  data->max_time = b->meta_.max_time;
  b->data_ = std::move(data);
  ASSIGN_OR_RETURN(b->size_bytes_, env->DirSize(dir));
  return b;
}

absl::StatusOr<std::unique_ptr<storage::Querier>> Block::NewQuerier(int64_t mint, int64_t maxt) {
  return std::unique_ptr<storage::Querier>(new BlockQuerier(data_, mint, maxt));
}

}  // namespace pharos::tsdb::block
