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

{{/* Where the store is, for the sinks and the verifier: a bucket when store.url is set. */}}
{{- define "douane.storeEnv" -}}
{{- if .Values.store.url }}
- name: DOUANE_STORE_URL
  value: {{ .Values.store.url | quote }}
{{- if .Values.store.s3Endpoint }}
- name: DOUANE_S3_ENDPOINT
  value: {{ .Values.store.s3Endpoint | quote }}
{{- end }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef: {name: {{ include "douane.secretName" . }}, key: s3-access-key-id, optional: true}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef: {name: {{ include "douane.secretName" . }}, key: s3-secret-access-key, optional: true}
{{- end }}
{{- if .Values.store.headsUrl }}
- name: DOUANE_LEDGER_HEADS_URL
  value: {{ .Values.store.headsUrl | quote }}
{{- end }}
{{- end -}}

{{/* The ledger key Secret as a read-only file: "private" for sinks, "public" for the verifier. */}}
{{- define "douane.ledgerKeyVolume" -}}
- name: ledger-key
  secret:
    secretName: {{ include "douane.secretName" .root }}
    defaultMode: 0440
    items:
      {{- if eq .half "private" }}
      - {key: ledger-key, path: ledger.ed25519}
      {{- end }}
      - {key: ledger-key.pub, path: ledger.ed25519.pub}
      {{- if eq .half "public" }}
      {{- range $i, $key := .root.Values.secrets.ledgerRetiredPublicKeys }}
      - {key: ledger-retired-{{ $i }}.pub, path: retired-{{ $i }}.pub}
      {{- end }}
      {{- end }}
{{- end -}}
