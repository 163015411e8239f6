"""The desk's table changelogs exist, with their partitions and compaction, before Faust looks for them."""

from __future__ import annotations

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from stream.changelogs import bootstrap_of, create_changelogs
from tests.stream.test_alerts import alert_app, slack  # noqa: F401

pytestmark = pytest.mark.kafka


def test_every_table_changelog_is_created_before_the_worker_starts(kafka_bootstrap, unique, slack) -> None:
    app = alert_app(kafka_bootstrap, f"changelogs-{unique}", slack)
    assert bootstrap_of(app.app) == kafka_bootstrap
    names = create_changelogs(app.app)
    assert {f"changelogs-{unique}-incidents-changelog", f"changelogs-{unique}-outage-counts-changelog"} <= set(names)
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        described = {t["name"]: len(t["partitions"]) for t in admin.describe_topics(names)}
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, n) for n in names])
    finally:
        admin.close()
    assert all(described[n] == app.config.partitions for n in names), described
    policies = {n: c["cleanup.policy"]["value"] for n, c in configs["topic"].items()}
    assert policies[f"changelogs-{unique}-incidents-changelog"] == "compact"
    assert create_changelogs(app.app) == names, "a second worker finds them and creates nothing"
