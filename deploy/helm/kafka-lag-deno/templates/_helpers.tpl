{{- define "kafka-lag-deno.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kafka-lag-deno.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "kafka-lag-deno.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kafka-lag-deno.metricsPort" -}}
{{- dig "prometheus_local" "metrics_port" 9090 .Values.config -}}
{{- end -}}

{{- define "kafka-lag-deno.healthPort" -}}
{{- dig "app" "health_check_port" 8080 .Values.config -}}
{{- end -}}
