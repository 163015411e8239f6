{{- define "douane.fullname" -}}
{{- printf "%s-douane" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "douane.labels" -}}
app.kubernetes.io/name: douane
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "douane.selector" -}}
app.kubernetes.io/name: douane
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "douane.image" -}}
{{ printf "%s:%s" .Values.image.repository .Values.image.tag | quote }}
{{- end -}}

{{- define "douane.secretName" -}}
{{- default (printf "%s-secrets" (include "douane.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "douane.configName" -}}
{{- default (printf "%s-config" (include "douane.fullname" .)) .Values.config.existingConfigMap -}}
{{- end -}}

{{/* Settings every component reads (douane/settings.py), then the secrets. */}}
{{- define "douane.env" -}}
- name: DOUANE_KAFKA_BOOTSTRAP
  value: {{ .Values.kafka.bootstrap | quote }}
- name: DOUANE_TOPIC_PARTITIONS
  value: {{ .Values.kafka.partitions | quote }}
- name: DOUANE_TOPIC_REPLICATION
  value: {{ .Values.kafka.replication | quote }}
- name: DOUANE_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: DOUANE_HOME
  value: /var/lib/douane
- name: DOUANE_SLACK_TOKEN
  valueFrom:
    secretKeyRef: {name: {{ include "douane.secretName" . }}, key: slack-token, optional: true}
- name: DOUANE_SLACK_SIGNING_SECRET
  valueFrom:
    secretKeyRef: {name: {{ include "douane.secretName" . }}, key: slack-signing-secret, optional: true}
{{- end -}}

{{- define "douane.podSecurity" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 0
  fsGroup: 0
  seccompProfile: {type: RuntimeDefault}
{{- end -}}

{{- define "douane.containerSecurity" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities: {drop: ["ALL"]}
{{- end -}}

{{- define "douane.configVolume" -}}
- name: config
  configMap:
    name: {{ include "douane.configName" . }}
- name: tmp
  emptyDir: {}
{{- end -}}

{{- define "douane.configMounts" -}}
- name: config
  mountPath: /etc/douane
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- end -}}
