// The two grammars behind Parser::Next(). Each reads the next entry of the
// body into the shared state; see text_grammar.cc and openmetrics_grammar.cc.
#pragma once

#include "scrape/textparse/entry.h"
#include "scrape/textparse/internal/state.h"

namespace pharos::scrape::textparse::internal {

class OpenMetricsStructure;

// The Prometheus text format 0.0.4, with the acceptance of Prometheus 2.53.
Entry NextText(ParserState& s);

// OpenMetrics 1.0 text: the syntax here, the rules across lines in `rules`.
Entry NextOpenMetrics(ParserState& s, OpenMetricsStructure& rules);

}  // namespace pharos::scrape::textparse::internal
