#include "alertmanager/default_templates.h"

namespace pharos::am {
namespace {

// The common subject line: "[FIRING:N] <group label values> (<other common
// label values>)", with the status upper-cased and the count only when
// firing. The space before "(" is always written, as 0.25 does.
constexpr std::string_view kText = R"TMPL(
{{- define "__alertmanager" }}Alertmanager{{ end }}
{{- define "__alertmanagerURL" }}{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}{{ end }}

{{- define "__subject" -}}
  {{- $status := .Status -}}
  [{{ toUpper $status }}{{ if eq $status "firing" }}:{{ len .Alerts.Firing }}{{ end }}]
  {{- " " }}{{ join " " .GroupLabels.SortedPairs.Values }}{{ " " }}
  {{- if gt (len .CommonLabels) (len .GroupLabels) -}}
    ({{ join " " (.CommonLabels.Remove .GroupLabels.Names).Values }})
  {{- end -}}
{{- end }}
{{- define "__description" }}{{ end }}

{{- /* One block per alert: its labels, its annotations, its source. */ -}}
{{- define "__text_alert_list" -}}
  {{- range $alert := . -}}
    Labels:{{ "\n" }}
    {{- range $alert.Labels.SortedPairs }} - {{ .Name }} = {{ .Value }}{{ "\n" }}{{ end -}}
    Annotations:{{ "\n" }}
    {{- range $alert.Annotations.SortedPairs }} - {{ .Name }} = {{ .Value }}{{ "\n" }}{{ end -}}
    Source: {{ $alert.GeneratorURL }}{{ "\n" }}
  {{- end -}}
{{- end }}

{{- define "slack.default.title" }}{{ template "__subject" . }}{{ end }}
{{- define "slack.default.username" }}{{ template "__alertmanager" . }}{{ end }}
{{- define "slack.default.titlelink" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{- define "slack.default.fallback" -}}
  {{ template "slack.default.title" . }} | {{ template "slack.default.titlelink" . }}
{{- end }}
{{- define "slack.default.callbackid" }}{{ end }}
{{- define "slack.default.pretext" }}{{ end }}
{{- define "slack.default.iconemoji" }}{{ end }}
{{- define "slack.default.iconurl" }}{{ end }}
{{- define "slack.default.text" }}{{ end }}
{{- define "slack.default.footer" }}{{ end }}

{{- define "pagerduty.default.description" }}{{ template "__subject" . }}{{ end }}
{{- define "pagerduty.default.client" }}{{ template "__alertmanager" . }}{{ end }}
{{- define "pagerduty.default.clientURL" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{- define "pagerduty.default.instances" }}{{ template "__text_alert_list" . }}{{ end }}

{{- define "email.default.subject" }}{{ template "__subject" . }}{{ end }}
)TMPL";

// The HTML mail. Its markup (an inlined-CSS table layout) must match 0.25's
// byte for byte, so the repeated opening tags are helpers and the layout
// whitespace is written out. html/template escapes every value by context.
constexpr std::string_view kEmailHtml = R"TMPL(
{{- define "__pharos.email.tr" }}<tr style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px;">{{ end }}
{{- define "__pharos.email.br" }}<br style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px;">{{ end }}
{{- define "__pharos.email.strong" }}<strong style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px;">{{ end }}
{{- define "__pharos.email.block" }}<td class="content-block" style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px; vertical-align: top; padding: 0 0 20px;" valign="top">{{ end }}
{{- define "__pharos.email.edge" }}<td style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px; vertical-align: top;" valign="top"></td>{{ end }}

{{- define "__pharos.email.head" }}<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px;">
<head>
<meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<title>{{ template "__subject" . }}</title>
<style>
@media only screen and (max-width: 640px) {
  body {
    padding: 0 !important;
  }

  h1,
h2,
h3,
h4 {
    font-weight: 800 !important;
    margin: 20px 0 5px !important;
  }

  h1 {
    font-size: 22px !important;
  }

  h2 {
    font-size: 18px !important;
  }

  h3 {
    font-size: 16px !important;
  }

  .container {
    padding: 0 !important;
    width: 100% !important;
  }

  .content {
    padding: 0 !important;
  }

  .content-wrap {
    padding: 10px !important;
  }

  .invoice {
    width: 100% !important;
  }
}
</style>
</head>
{{ end }}

{{- /* The coloured banner: "N alert(s) for" and the group labels. Resolved
       groups put a space after each label, as 0.25 does. */ -}}
{{- define "__pharos.email.banner" }}
              {{ len .Alerts }} alert{{ if gt (len .Alerts) 1 }}s{{ end }} for {{ $firing := gt (len .Alerts.Firing) 0 }}{{ range .GroupLabels.SortedPairs }}
                {{ .Name }}={{ .Value }}{{ if not $firing }} {{ end }}
              {{ end }}
            </td>
{{- end }}

{{- /* One table row per alert. */ -}}
{{- define "__pharos.email.alerts" }}{{ range . }}
                {{ template "__pharos.email.tr" }}
                  {{ template "__pharos.email.block" }}
                    {{ template "__pharos.email.strong" }}Labels</strong>{{ template "__pharos.email.br" }}
                    {{ range .Labels.SortedPairs }}{{ .Name }} = {{ .Value }}{{ template "__pharos.email.br" }}{{ end }}
                    {{ if .Annotations }}{{ template "__pharos.email.strong" }}Annotations</strong>{{ template "__pharos.email.br" }}{{ end }}
                    {{ range .Annotations.SortedPairs }}{{ .Name }} = {{ .Value }}{{ template "__pharos.email.br" }}{{ end }}
                    <a href="{{ .GeneratorURL }}" style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px; color: #348eda; text-decoration: underline;">Source</a>{{ template "__pharos.email.br" }}
                  </td>
                </tr>
                {{ end }}{{ end }}

{{- /* "[N] Firing" / "[N] Resolved" heading rows. */ -}}
{{- define "__pharos.email.count" }}
                {{ template "__pharos.email.tr" }}
                  {{ template "__pharos.email.block" }}
                    {{ template "__pharos.email.strong" }}{{ . }}</strong>
                  </td>
                </tr>
{{- end }}

{{- define "email.default.html" }}

{{ template "__pharos.email.head" . }}
<body itemscope itemtype="http://schema.org/EmailMessage" style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px; -webkit-font-smoothing: antialiased; -webkit-text-size-adjust: none; height: 100%; line-height: 1.6em; background-color: #f6f6f6; width: 100%;">

<table class="body-wrap" style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px; background-color: #f6f6f6; width: 100%;" width="100%" bgcolor="#f6f6f6">
  {{ template "__pharos.email.tr" }}
    {{ template "__pharos.email.edge" }}
    <td class="container" width="600" style="font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px; vertical-align: top; display: block; max-width: 600px; margin: 0 auto; clear: both;" valign="top">
      <div class="content" style="font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px; max-width: 600px; margin: 0 auto; display: block; padding: 20px;">
        <table class="main" width="100%" cellpadding="0" cellspacing="0" style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px; background-color: #fff; border: 1px solid #e9e9e9; border-radius: 3px;" bgcolor="#fff">
          {{ template "__pharos.email.tr" }}
            {{ if gt (len .Alerts.Firing) 0 }}
            <td class="alert alert-warning" style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; vertical-align: top; font-size: 16px; color: #fff; font-weight: 500; padding: 20px; text-align: center; border-radius: 3px 3px 0 0; background-color: #E6522C;" valign="top" align="center" bgcolor="#E6522C">
            {{- template "__pharos.email.banner" . }}
            {{ else }}
            <td class="alert alert-good" style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; vertical-align: top; font-size: 16px; color: #fff; font-weight: 500; padding: 20px; text-align: center; border-radius: 3px 3px 0 0; background-color: #68B90F;" valign="top" align="center" bgcolor="#68B90F">
            {{- template "__pharos.email.banner" . }}
            {{ end }}
          </tr>
          {{ template "__pharos.email.tr" }}
            <td class="content-wrap" style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px; vertical-align: top; padding: 30px;" valign="top">
              <table width="100%" cellpadding="0" cellspacing="0" style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px;">
                {{ template "__pharos.email.tr" }}
                  {{ template "__pharos.email.block" }}
                    <a href="{{ template "__alertmanagerURL" . }}" class="btn-primary" style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px; text-decoration: none; color: #FFF; background-color: #348eda; border: solid #348eda; border-width: 10px 20px; line-height: 2em; font-weight: bold; text-align: center; cursor: pointer; display: inline-block; border-radius: 5px; text-transform: capitalize;">View in {{ template "__alertmanager" . }}</a>
                  </td>
                </tr>
                {{ with .Alerts.Firing }}{{ template "__pharos.email.count" (printf "[%d] Firing" (len .)) }}
                {{ end }}
                {{ template "__pharos.email.alerts" .Alerts.Firing }}

                {{ if gt (len .Alerts.Resolved) 0 }}
                  {{ if gt (len .Alerts.Firing) 0 }}
                {{ template "__pharos.email.tr" }}
                  {{ template "__pharos.email.block" }}
                    {{ template "__pharos.email.br" }}
                    <hr style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px;">
                    {{ template "__pharos.email.br" }}
                  </td>
                </tr>
                  {{ end }}
                {{- template "__pharos.email.count" (printf "[%d] Resolved" (len .Alerts.Resolved)) }}
                {{ end }}
                {{ template "__pharos.email.alerts" .Alerts.Resolved }}
              </table>
            </td>
          </tr>
        </table>

        <div class="footer" style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px; width: 100%; clear: both; color: #999; padding: 20px;">
          <table width="100%" style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; font-size: 14px;">
            {{ template "__pharos.email.tr" }}
              <td class="aligncenter content-block" style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; vertical-align: top; padding: 0 0 20px; text-align: center; color: #999; font-size: 12px;" valign="top" align="center"><a href="{{ .ExternalURL }}" style="margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; box-sizing: border-box; text-decoration: underline; color: #999; font-size: 12px;">Sent by {{ template "__alertmanager" . }}</a></td>
            </tr>
          </table>
        </div></div>
    </td>
    {{ template "__pharos.email.edge" }}
  </tr>
</table>

</body>
</html>

{{ end }}
)TMPL";

// For the HTML set only. Go's html/template drops the URL escaper of a
// context when the pipeline already ends in `urlquery` (so the receiver is
// escaped once, with upper-case hex); Pharos' engine escapes it again. Here
// the whole URL is one value written at the start of the attribute, where
// the context only normalizes (keeping %XX), which gives Go's bytes.
constexpr std::string_view kHtmlOverrides = R"TMPL(
{{- define "__alertmanagerURL" }}{{ printf "%s/#/alerts?receiver=%s" .ExternalURL (urlquery .Receiver) }}{{ end }}
)TMPL";

}  // namespace

std::string_view DefaultHtmlOverridesText() { return kHtmlOverrides; }
std::string_view DefaultTemplatesText() { return kText; }
std::string_view DefaultEmailHtmlTemplate() { return kEmailHtml; }

}  // namespace pharos::am
