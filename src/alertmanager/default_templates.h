// Pharos' own text for the templates that Alertmanager 0.25 ships built in
// (default.tmpl): __subject, __description, __text_alert_list,
// __alertmanager, __alertmanagerURL, slack.default.*, pagerduty.default.*,
// email.default.subject and email.default.html. Executed with Alertmanager's
// notification data they produce the same bytes as 0.25's templates
// (tests/alertmanager/templates_test.cc compares them with output captured
// from the real Alertmanager); the text itself is written for Pharos.
#pragma once

#include <string_view>

namespace pharos::am {

// The definitions shared by the text and the HTML template sets.
std::string_view DefaultTemplatesText();

// email.default.html and the helpers it calls. Parsed into both sets like the
// rest (Alertmanager parses one default.tmpl into both).
std::string_view DefaultEmailHtmlTemplate();

// Definitions that replace the above in the HTML set only (see the .cc).
std::string_view DefaultHtmlOverridesText();

}  // namespace pharos::am
