#include "probe/dns_message.h"

#include <arpa/inet.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace pharos::probe {
namespace {

struct TypeName {
  uint16_t code;
  std::string_view name;
};
constexpr TypeName kTypes[] = {{1, "A"},    {2, "NS"},    {5, "CNAME"}, {6, "SOA"}, {12, "PTR"}, {15, "MX"},
                               {16, "TXT"}, {28, "AAAA"}, {33, "SRV"},  {41, "OPT"}, {255, "ANY"}, {257, "CAA"}};
constexpr std::string_view kRcodes[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                        "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"};
constexpr int kMaxPointerHops = 32;
constexpr size_t kMaxRecordsPerSection = 4096;

class Reader {
 public:
  explicit Reader(std::string_view w) : w_(w) {}
  size_t pos() const { return pos_; }
  absl::Status Error(std::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("dns message: ", AV(what), " at byte ", pos_));
  }
  absl::StatusOr<uint16_t> U16() {
    if (pos_ + 2 > w_.size()) return Error("truncated");
    uint16_t v = static_cast<uint16_t>((static_cast<uint8_t>(w_[pos_]) << 8) | static_cast<uint8_t>(w_[pos_ + 1]));
    pos_ += 2;
    return v;
  }
  absl::StatusOr<uint32_t> U32() {
    auto hi = U16();
    if (!hi.ok()) return hi.status();
    auto lo = U16();
    if (!lo.ok()) return lo.status();
    return (static_cast<uint32_t>(*hi) << 16) | *lo;
  }
  // A possibly compressed name starting at pos_; advances past it.
  absl::StatusOr<std::string> Name() {
    auto n = NameAt(pos_, &pos_);
    return n;
  }
  absl::StatusOr<std::string> NameAt(size_t at, size_t* end) {
    std::string out;
    size_t p = at;
    bool jumped = false;
    int hops = 0;
    while (true) {
      if (p >= w_.size()) return absl::InvalidArgumentError(absl::StrCat("dns message: name past the end at byte ", p));
      uint8_t len = static_cast<uint8_t>(w_[p]);
      if ((len & 0xC0) == 0xC0) {
        if (p + 1 >= w_.size()) return absl::InvalidArgumentError(absl::StrCat("dns message: truncated pointer at byte ", p));
        if (++hops > kMaxPointerHops) return absl::InvalidArgumentError(absl::StrCat("dns message: pointer loop at byte ", p));
        size_t target = ((len & 0x3F) << 8) | static_cast<uint8_t>(w_[p + 1]);
        if (!jumped) *end = p + 2;
        jumped = true;
        p = target;
        continue;
      }
      if ((len & 0xC0) != 0) return absl::InvalidArgumentError(absl::StrCat("dns message: bad label type at byte ", p));
      if (len == 0) {
        if (!jumped) *end = p + 1;
        break;
      }
      if (p + 1 + len > w_.size()) return absl::InvalidArgumentError(absl::StrCat("dns message: label past the end at byte ", p));
      for (size_t i = 0; i < len; ++i) {
        char ch = w_[p + 1 + i];
        if (ch == '.' || ch == '\\') out += '\\';
        if (static_cast<unsigned char>(ch) < 0x21 || static_cast<unsigned char>(ch) > 0x7e) {
          absl::StrAppend(&out, "\\", absl::Dec(static_cast<uint8_t>(ch), absl::kZeroPad3));
        } else {
          out += ch;
        }
      }
      out += '.';
      if (out.size() > 1024) return absl::InvalidArgumentError(absl::StrCat("dns message: name too long at byte ", p));
      p += 1 + len;
    }
    if (out.empty()) out = ".";
    return out;
  }
  absl::StatusOr<std::string_view> Bytes(size_t n) {
    if (pos_ + n > w_.size()) return Error("truncated");
    std::string_view v = w_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  std::string_view wire() const { return w_; }
  void Seek(size_t p) { pos_ = p; }

 private:
  std::string_view w_;
  size_t pos_ = 0;
};

#define DNS_ASSIGN(lhs, expr)          \
  auto lhs##_or = (expr);              \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = *lhs##_or

absl::Status ParseRecord(Reader& rd, DnsRecord* rec) {
  DNS_ASSIGN(name, rd.Name());
  DNS_ASSIGN(type, rd.U16());
  DNS_ASSIGN(klass, rd.U16());
  DNS_ASSIGN(ttl, rd.U32());
  DNS_ASSIGN(rdlen, rd.U16());
  rec->name = name;
  rec->type = type;
  rec->klass = klass;
  rec->ttl = ttl;
  const size_t start = rd.pos();
  DNS_ASSIGN(data, rd.Bytes(rdlen));
  const size_t end = rd.pos();
  Reader sub(rd.wire());
  sub.Seek(start);
  auto name_in_rdata = [&]() -> absl::StatusOr<std::string> {
    auto n = sub.Name();
    if (n.ok() && sub.pos() > end) return rd.Error("name past its record");
    return n;
  };
  switch (type) {
    case 1: {
      if (rdlen != 4) return rd.Error("A record of the wrong size");
      char buf[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, data.data(), buf, sizeof buf);
      rec->rdata_text = buf;
      break;
    }
    case 28: {
      if (rdlen != 16) return rd.Error("AAAA record of the wrong size");
      char buf[INET6_ADDRSTRLEN];
      inet_ntop(AF_INET6, data.data(), buf, sizeof buf);
      rec->rdata_text = buf;
      break;
    }
    case 2:
    case 5:
    case 12: {
      DNS_ASSIGN(n, name_in_rdata());
      rec->rdata_text = n;
      break;
    }
    case 15: {
      DNS_ASSIGN(pref, sub.U16());
      DNS_ASSIGN(n, name_in_rdata());
      rec->rdata_text = absl::StrCat(pref, " ", n);
      break;
    }
    case 6: {
      DNS_ASSIGN(mname, name_in_rdata());
      DNS_ASSIGN(rname, name_in_rdata());
      uint32_t v[5];
      for (uint32_t& x : v) {
        DNS_ASSIGN(n, sub.U32());
        x = n;
      }
      if (sub.pos() > end) return rd.Error("SOA past its record");
      rec->soa_serial = v[0];
      rec->rdata_text = absl::StrCat(mname, " ", rname, " ", v[0], " ", v[1], " ", v[2], " ", v[3], " ", v[4]);
      break;
    }
    case 16: {
      size_t p = 0;
      while (p < data.size()) {
        size_t len = static_cast<uint8_t>(data[p]);
        if (p + 1 + len > data.size()) return rd.Error("TXT string past its record");
        if (!rec->rdata_text.empty()) rec->rdata_text += ' ';
        absl::StrAppend(&rec->rdata_text, "\"", absl::CEscape(AV(data.substr(p + 1, len))), "\"");
        p += 1 + len;
      }
      break;
    }
    case 33: {
      DNS_ASSIGN(prio, sub.U16());
      DNS_ASSIGN(weight, sub.U16());
      DNS_ASSIGN(port, sub.U16());
      DNS_ASSIGN(n, name_in_rdata());
      rec->rdata_text = absl::StrCat(prio, " ", weight, " ", port, " ", n);
      break;
    }
    default:
      rec->rdata_text = absl::StrCat("\\# ", rdlen, rdlen ? " " : "", absl::BytesToHexString(AV(data)));
  }
  return absl::OkStatus();
}

}  // namespace

uint16_t DnsTypeCode(std::string_view name) {
  for (const TypeName& t : kTypes) {
    if (t.name == name) return t.code;
  }
  return 0;
}

uint16_t DnsClassCode(std::string_view name) {
  if (name == "IN") return 1;
  if (name == "CH") return 3;
  if (name == "ANY") return 255;
  return 0;
}

std::string DnsTypeName(uint16_t type) {
  for (const TypeName& t : kTypes) {
    if (t.code == type) return std::string(t.name);
  }
  return absl::StrCat("TYPE", type);
}

std::string DnsRcodeName(int rcode) {
  if (rcode >= 0 && rcode < static_cast<int>(std::size(kRcodes))) return std::string(kRcodes[rcode]);
  return absl::StrCat("RCODE", rcode);
}

std::string DnsRecord::ToString() const {
  std::string cls = klass == 1 ? "IN" : klass == 3 ? "CH" : absl::StrCat("CLASS", klass);
  return absl::StrCat(name, "\t", ttl, "\t", cls, "\t", DnsTypeName(type), "\t", rdata_text);
}

absl::StatusOr<std::string> BuildDnsQuery(uint16_t id, std::string_view name, uint16_t type, uint16_t klass,
                                          bool recursion_desired) {
  std::string out;
  auto u16 = [&](uint16_t v) {
    out += static_cast<char>(v >> 8);
    out += static_cast<char>(v & 0xff);
  };
  u16(id);
  u16(recursion_desired ? 0x0100 : 0);
  u16(1);
  u16(0);
  u16(0);
  u16(0);
  std::string_view rest = name;
  if (rest.ends_with(".")) rest.remove_suffix(1);
  size_t total = 0;
  while (!rest.empty()) {
    size_t dot = rest.find('.');
    std::string_view label = rest.substr(0, dot);
    if (label.empty() || label.size() > 63) {
      return absl::InvalidArgumentError(absl::StrCat("invalid query name ", AV(name)));
    }
    total += label.size() + 1;
    out += static_cast<char>(label.size());
    out.append(label);
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  }
  if (total > 254) return absl::InvalidArgumentError(absl::StrCat("query name too long: ", AV(name)));
  out += '\0';
  u16(type);
  u16(klass);
  return out;
}

absl::StatusOr<DnsMessage> ParseDnsMessage(std::string_view wire) {
  if (wire.size() > kMaxDnsMessageBytes) return absl::InvalidArgumentError("dns message: too large");
  Reader rd(wire);
  DnsMessage m;
  DNS_ASSIGN(id, rd.U16());
  DNS_ASSIGN(flags, rd.U16());
  DNS_ASSIGN(qd, rd.U16());
  DNS_ASSIGN(an, rd.U16());
  DNS_ASSIGN(ns, rd.U16());
  DNS_ASSIGN(ar, rd.U16());
  m.id = id;
  m.response = (flags & 0x8000) != 0;
  m.truncated = (flags & 0x0200) != 0;
  m.rcode = flags & 0x000F;
  for (int i = 0; i < qd; ++i) {
    DNS_ASSIGN(qname, rd.Name());
    DNS_ASSIGN(qtype, rd.U16());
    DNS_ASSIGN(qclass, rd.U16());
    (void)qtype;
    (void)qclass;
    m.questions.push_back(qname);
  }
  auto section = [&](int count, std::vector<DnsRecord>* out) -> absl::Status {
    if (static_cast<size_t>(count) > kMaxRecordsPerSection) return rd.Error("too many records");
    for (int i = 0; i < count; ++i) {
      DnsRecord rec;
      absl::Status s = ParseRecord(rd, &rec);
      if (!s.ok()) return s;
      if (rec.type == 41) {  // EDNS OPT: extended rcode bits live in its TTL
        m.rcode |= static_cast<int>((rec.ttl >> 24) & 0xff) << 4;
        continue;
      }
      out->push_back(std::move(rec));
    }
    return absl::OkStatus();
  };
  if (absl::Status s = section(an, &m.answer); !s.ok()) return s;
  if (absl::Status s = section(ns, &m.authority); !s.ok()) return s;
  if (absl::Status s = section(ar, &m.additional); !s.ok()) return s;
  return m;
}

}  // namespace pharos::probe
