"""Upgrading a worker from the Faust agent to the judge without judging the past again.

Before wave 2 a Faust agent read ``douane.ai-calls`` in the consumer group named by the
app id; the judge reads it in ``<app-id>.judge``. A new group would start at the oldest
retained call (30 days) and count every finding into the incidents a second time. So
when the judge's group has no position on the topic yet and the old group has one, the
judge's group takes the old group's position once, before it joins.
"""

from __future__ import annotations

import logging

from kafka import KafkaAdminClient
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

logger = logging.getLogger(__name__)


def adopt_positions(bootstrap: str, old_group: str, new_group: str, topic: str) -> dict[int, int]:
    """Give ``new_group`` the committed offsets ``old_group`` holds on ``topic`` when it has none of its own;
    the partitions and offsets adopted (empty when there was nothing to adopt)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="douane-upgrade")
    try:
        if _positions(admin, new_group, topic):
            return {}
        old = _positions(admin, old_group, topic)
        if old:  # the new group has no members yet: its offsets may be set from outside
            admin.alter_group_offsets(new_group, {TopicPartition(topic, p): OffsetAndMetadata(
                o, f"adopted from {old_group}", -1) for p, o in old.items()})
    except KafkaError as exc:  # e.g. a sibling worker joined first and holds the group: it adopted them
        logger.warning("could not hand %s the position of %s on %s (%s); if this is an upgrade, check the "
                       "group's offsets before the judge runs", new_group, old_group, topic, exc)
        return {}
    finally:
        admin.close()
    if not old:
        return {}
    logger.warning("group %s had no position on %s: it takes the one of %s (the pre-judge worker), so calls "
                   "already judged are not judged again", new_group, topic, old_group)
    return old


def _positions(admin: KafkaAdminClient, group: str, topic: str) -> dict[int, int]:
    offsets = admin.list_group_offsets({group: None}).get(group, {})
    return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset >= 0}
