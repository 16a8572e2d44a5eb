#include "tsdb/block/index.h"

#include <algorithm>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "tsdb/chunkenc/coding.h"

namespace pharos::tsdb::block {

using chunkenc::Crc32c;
using chunkenc::Decoder;
using chunkenc::PutBE32;
using chunkenc::PutBE64;
using chunkenc::PutUvarint;
using chunkenc::PutVarint;

namespace {
enum Section { kSymbols = 0, kSeries = 1, kPostings = 2, kPostingsTable = 3 };
}  // namespace

absl::StatusOr<std::string> BuildIndex(const std::vector<IndexSeries>& series) {
  for (size_t i = 1; i < series.size(); ++i) {
    if (Labels::Compare(series[i - 1].labels, series[i].labels) >= 0) {
      return absl::InvalidArgumentError(absl::StrCat("index: series not sorted or duplicate at ",
                                                     series[i].labels.ToString()));
    }
  }
  // Symbols: every name and value, plus "" for the all-postings key.
  std::vector<std::string_view> syms = {""};
  for (const auto& s : series) {
    for (const auto& l : s.labels) {
      syms.push_back(l.name);
      syms.push_back(l.value);
    }
  }
  std::sort(syms.begin(), syms.end());
  syms.erase(std::unique(syms.begin(), syms.end()), syms.end());
  absl::flat_hash_map<std::string_view, uint64_t> sym_ref;
  sym_ref.reserve(syms.size());
  for (size_t i = 0; i < syms.size(); ++i) sym_ref[std::string_view(syms[i])] = i;

  std::string sec[kIndexSections];
  PutUvarint(&sec[kSymbols], syms.size());
  for (auto s : syms) {
    PutUvarint(&sec[kSymbols], s.size());
    sec[kSymbols].append(s);
  }

  // Series, and postings collected per (name, value) as refs ascend.
  std::map<std::pair<std::string_view, std::string_view>, std::vector<uint64_t>> postings;
  std::vector<uint64_t>& all = postings[{"", ""}];
  std::string entry;
  for (const auto& s : series) {
    uint64_t ref = sec[kSeries].size();
    all.push_back(ref);
    entry.clear();
    PutUvarint(&entry, s.labels.size());
    for (const auto& l : s.labels) {
      PutUvarint(&entry, sym_ref[std::string_view(l.name)]);
      PutUvarint(&entry, sym_ref[std::string_view(l.value)]);
      postings[{l.name, l.value}].push_back(ref);
    }
    PutUvarint(&entry, s.chunks.size());
    for (size_t i = 0; i < s.chunks.size(); ++i) {
      const ChunkMeta& c = s.chunks[i];
      if (c.max_time < c.min_time || (i > 0 && c.min_time <= s.chunks[i - 1].max_time)) {
        return absl::InvalidArgumentError(absl::StrCat("index: chunks of ", s.labels.ToString(), " overlap"));
      }
      if (i == 0) {
        PutVarint(&entry, c.min_time);
        PutUvarint(&entry, c.ref);
      } else {
        PutUvarint(&entry, static_cast<uint64_t>(c.min_time) - static_cast<uint64_t>(s.chunks[i - 1].max_time));
        PutVarint(&entry, static_cast<int64_t>(c.ref - s.chunks[i - 1].ref));
      }
      PutUvarint(&entry, static_cast<uint64_t>(c.max_time) - static_cast<uint64_t>(c.min_time));
    }
    PutUvarint(&sec[kSeries], entry.size());
    sec[kSeries].append(entry);
  }

  // Postings lists and the table pointing at them, grouped by name.
  std::string_view cur_name;
  std::vector<std::pair<uint64_t, uint64_t>> values;  // (value sym, offset)
  uint64_t nnames = 0;
  std::string table;
  auto flush_name = [&]() {
    if (values.empty()) return;
    PutUvarint(&table, sym_ref[cur_name]);
    PutUvarint(&table, values.size());
    for (auto [v, off] : values) {
      PutUvarint(&table, v);
      PutUvarint(&table, off);
    }
    ++nnames;
    values.clear();
  };
  for (const auto& [key, refs] : postings) {
    if (key.first != cur_name || values.empty()) {
      flush_name();
      cur_name = key.first;
    }
    values.push_back({sym_ref[key.second], sec[kPostings].size()});
    PutUvarint(&sec[kPostings], refs.size());
    uint64_t prev = 0;
    for (size_t i = 0; i < refs.size(); ++i) {
      PutUvarint(&sec[kPostings], i == 0 ? refs[i] : refs[i] - prev);
      prev = refs[i];
    }
  }
  flush_name();
  PutUvarint(&sec[kPostingsTable], nnames);
  sec[kPostingsTable].append(table);

  std::string out;
  PutBE32(&out, kIndexMagic);
  out.push_back(1);
  out.append(3, '\0');
  uint64_t offs[kIndexSections];
  for (int i = 0; i < kIndexSections; ++i) {
    offs[i] = out.size();
    out.append(sec[i]);
    PutBE32(&out, Crc32c(sec[i]));
  }
  std::string toc;
  for (int i = 0; i < kIndexSections; ++i) {
    PutBE64(&toc, offs[i]);
    PutBE64(&toc, sec[i].size());
  }
  PutBE32(&toc, Crc32c(toc));
  out.append(toc);
  return out;
}

absl::Status IndexReader::Corrupt(std::string_view what, uint64_t offset) const {
  return absl::DataLossError(absl::StrCat(name_, ": corrupt index: ", AV(what), " at offset ", offset));
}

absl::StatusOr<std::unique_ptr<IndexReader>> IndexReader::Open(std::string_view data, std::string name) {
  auto r = std::unique_ptr<IndexReader>(new IndexReader());
  r->name_ = std::move(name);
  r->data_ = data;
  if (data.size() < kIndexHeaderSize + kIndexTocSize) return r->Corrupt("file too short", data.size());
  if (chunkenc::ReadBE32(data.data()) != kIndexMagic) return r->Corrupt("bad magic", 0);
  if (data[4] != 1) return r->Corrupt("unsupported version", 4);
  uint64_t toc_off = data.size() - kIndexTocSize;
  std::string_view toc = data.substr(toc_off, kIndexTocSize - 4);
  if (Crc32c(toc) != chunkenc::ReadBE32(data.data() + data.size() - 4)) {
    return r->Corrupt("table of contents checksum mismatch", toc_off);
  }
  uint64_t prev_end = kIndexHeaderSize;
  for (int i = 0; i < kIndexSections; ++i) {
    uint64_t off = chunkenc::ReadBE64(toc.data() + i * 16);
    uint64_t len = chunkenc::ReadBE64(toc.data() + i * 16 + 8);
    if (off != prev_end || len > toc_off || off > toc_off - len || toc_off - len - off < 4) {
      return r->Corrupt(absl::StrCat("section ", i, " out of bounds"), toc_off + i * 16);
    }
    std::string_view content = data.substr(off, len);
    if (Crc32c(content) != chunkenc::ReadBE32(data.data() + off + len)) {
      return r->Corrupt(absl::StrCat("section ", i, " checksum mismatch"), off);
    }
    r->sections_[i] = content;
    r->offsets_[i] = off;
    prev_end = off + len + 4;
  }
  if (prev_end != toc_off) return r->Corrupt("unaccounted bytes before the table of contents", prev_end);
  if (auto s = r->ParseSymbols(); !s.ok()) return s;
  if (auto s = r->ParsePostingsTable(); !s.ok()) return s;
  return r;
}

absl::Status IndexReader::ParseSymbols() {
  Decoder d(sections_[kSymbols]);
  uint64_t n;
  if (!d.GetUvarint(&n) || n > d.remaining()) return Corrupt("bad symbol count", offsets_[kSymbols]);
  symbols_.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t at = offsets_[kSymbols] + d.pos();
    std::string_view s;
    if (!d.GetLengthPrefixed(&s)) return Corrupt("truncated symbol", at);
    if (!symbols_.empty() && s <= symbols_.back()) return Corrupt("symbols not sorted", at);
    symbols_.push_back(s);
  }
  if (d.remaining() != 0) return Corrupt("trailing bytes in symbols", offsets_[kSymbols] + d.pos());
  return absl::OkStatus();
}

absl::Status IndexReader::ParsePostingsTable() {
  Decoder d(sections_[kPostingsTable]);
  uint64_t base = offsets_[kPostingsTable];
  uint64_t n;
  if (!d.GetUvarint(&n) || n > d.remaining()) return Corrupt("bad label name count", base);
  names_.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t at = base + d.pos();
    uint64_t name_ref, nvalues;
    if (!d.GetUvarint(&name_ref) || name_ref >= symbols_.size()) return Corrupt("bad label name ref", at);
    if (!d.GetUvarint(&nvalues) || nvalues == 0 || nvalues > d.remaining()) return Corrupt("bad value count", at);
    NameEntry e{symbols_[name_ref], {}};
    if (!names_.empty() && e.name <= names_.back().name) return Corrupt("label names not sorted", at);
    e.values.reserve(nvalues);
    for (uint64_t j = 0; j < nvalues; ++j) {
      uint64_t vat = base + d.pos();
      uint64_t vref, off;
      if (!d.GetUvarint(&vref) || vref >= symbols_.size()) return Corrupt("bad label value ref", vat);
      if (!d.GetUvarint(&off) || off >= sections_[kPostings].size()) return Corrupt("bad postings offset", vat);
      std::string_view v = symbols_[vref];
      if (!e.values.empty() && v <= e.values.back().value) return Corrupt("label values not sorted", vat);
      e.values.push_back({v, off});
    }
    names_.push_back(std::move(e));
  }
  if (d.remaining() != 0) return Corrupt("trailing bytes in postings table", base + d.pos());
  if (names_.empty() || !names_[0].name.empty() || names_[0].values.size() != 1 || !names_[0].values[0].value.empty()) {
    return Corrupt("all-series postings missing", base);
  }
  return absl::OkStatus();
}

const IndexReader::NameEntry* IndexReader::FindName(std::string_view name) const {
  auto it = std::lower_bound(names_.begin(), names_.end(), name,
                             [](const NameEntry& e, std::string_view n) { return e.name < n; });
  if (it == names_.end() || it->name != name) return nullptr;
  return &*it;
}

std::unique_ptr<Postings> IndexReader::PostingsFor(std::string_view name, std::string_view value) const {
  const NameEntry* e = FindName(name);
  if (e == nullptr) return EmptyPostings();
  auto it = std::lower_bound(e->values.begin(), e->values.end(), value,
                             [](const ValueEntry& v, std::string_view x) { return v.value < x; });
  if (it == e->values.end() || it->value != value) return EmptyPostings();
  std::string_view sec = sections_[kPostings];
  uint64_t at = offsets_[kPostings] + it->offset;
  Decoder d(sec.substr(it->offset));
  uint64_t n;
  if (!d.GetUvarint(&n) || n > d.remaining()) return ErrPostings(Corrupt("bad postings count", at));
  std::vector<SeriesRef> refs;
  refs.reserve(n);
  uint64_t prev = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t delta;
    if (!d.GetUvarint(&delta)) return ErrPostings(Corrupt("truncated postings list", at));
    if (i > 0 && (delta == 0 || prev + delta < prev)) return ErrPostings(Corrupt("postings not increasing", at));
    prev = i == 0 ? delta : prev + delta;
    refs.push_back(prev);
  }
  return NewOwnedListPostings(std::move(refs));
}

std::vector<std::string_view> IndexReader::LabelNames() const {
  std::vector<std::string_view> out;
  for (const auto& e : names_) {
    if (!e.name.empty()) out.push_back(e.name);
  }
  return out;
}

std::vector<std::string_view> IndexReader::LabelValues(std::string_view name) const {
  std::vector<std::string_view> out;
  if (name.empty()) return out;
  if (const NameEntry* e = FindName(name)) {
    for (const auto& v : e->values) out.push_back(v.value);
  }
  return out;
}

absl::Status IndexReader::Series(SeriesRef ref, Labels* labels, std::vector<ChunkMeta>* chunks) const {
  std::string_view sec = sections_[kSeries];
  uint64_t at = offsets_[kSeries] + ref;
  if (ref >= sec.size()) return Corrupt("series ref out of bounds", at);
  Decoder outer(sec.substr(ref));
  std::string_view body;
  if (!outer.GetLengthPrefixed(&body)) return Corrupt("truncated series", at);
  Decoder d(body);
  uint64_t nl;
  if (!d.GetUvarint(&nl) || nl > d.remaining()) return Corrupt("bad label count", at);
  std::vector<Label> pairs;
  pairs.reserve(nl);
  for (uint64_t i = 0; i < nl; ++i) {
    uint64_t n, v;
    if (!d.GetUvarint(&n) || !d.GetUvarint(&v) || n >= symbols_.size() || v >= symbols_.size()) {
      return Corrupt("bad label symbol ref", at);
    }
    if (!pairs.empty() && symbols_[n] <= pairs.back().name) return Corrupt("series labels not sorted", at);
    pairs.push_back(Label{std::string(symbols_[n]), std::string(symbols_[v])});
  }
  *labels = Labels::FromSorted(std::move(pairs));
  uint64_t nc;
  if (!d.GetUvarint(&nc) || nc > d.remaining()) return Corrupt("bad chunk count", at);
  chunks->clear();
  chunks->reserve(nc);
  for (uint64_t i = 0; i < nc; ++i) {
    ChunkMeta c;
    uint64_t span;
    if (i == 0) {
      uint64_t r;
      if (!d.GetVarint(&c.min_time) || !d.GetUvarint(&r)) return Corrupt("truncated chunk meta", at);
      c.ref = r;
    } else {
      uint64_t gap;
      int64_t dref;
      const ChunkMeta& p = chunks->back();
      if (!d.GetUvarint(&gap) || !d.GetVarint(&dref)) return Corrupt("truncated chunk meta", at);
      c.min_time = static_cast<int64_t>(static_cast<uint64_t>(p.max_time) + gap);
      if (gap == 0 || c.min_time <= p.max_time) return Corrupt("chunk metas overlap", at);
      c.ref = p.ref + static_cast<uint64_t>(dref);
    }
    if (!d.GetUvarint(&span)) return Corrupt("truncated chunk meta", at);
    c.max_time = static_cast<int64_t>(static_cast<uint64_t>(c.min_time) + span);
    if (c.max_time < c.min_time) return Corrupt("chunk time range overflows", at);
    chunks->push_back(c);
  }
  return absl::OkStatus();
}

}  // namespace pharos::tsdb::block
