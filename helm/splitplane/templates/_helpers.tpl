{{/* Labels every object of the chart carries. */}}
{{- define "splitplane.labels" -}}
app.kubernetes.io/name: splitplane
app.kubernetes.io/component: operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* What the operator's pods are selected by. */}}
{{- define "splitplane.selector" -}}
app.kubernetes.io/name: splitplane
app.kubernetes.io/component: operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
