{{/* Written by obsc (targets/helm/chart); the same for every environment. */}}

{{/* Labels every object of the chart carries. */}}
{{- define "obs-stack.labels" -}}
app.kubernetes.io/part-of: obs-stack
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
obsc.dev/project: {{ .Values.project | quote }}
obsc.dev/environment: {{ .Values.environment | quote }}
{{- end }}

{{/* The collector's name: its DaemonSet, ConfigMap, Service and ServiceAccount. */}}
{{- define "obs-stack.collector" -}}
{{- printf "%s-collector" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{/* The labels that select the collector's pods (a subset of its labels). */}}
{{- define "obs-stack.collectorSelector" -}}
app.kubernetes.io/name: otel-collector
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* A name for one of the release's objects: "<release>-<suffix>", at most 253 characters. */}}
{{- define "obs-stack.name" -}}
{{- printf "%s-%s" .root.Release.Name .suffix | trunc 253 | trimSuffix "-" -}}
{{- end }}
