"""The wire contract v1: the models that travel on Kafka and their topic names."""

from douane.contract.codec import DecodeError, decode, decode_event, decode_verdict, encode, json_schemas
from douane.contract.events import (
    AI_CALL_SCHEMA,
    Action,
    AICallEvent,
    AppContext,
    CategoryCount,
    Destination,
    ErrorClass,
    HintSource,
    Outcome,
    PersonalData,
    RegionHint,
    Tap,
    TapKind,
)
from douane.contract.topics import TOPICS, TopicSpec, Topics
from douane.contract.verdict import VERDICT_SCHEMA, Basis, Decision, Enforcement, Finding, Severity, Verdict

__all__ = [
    "AI_CALL_SCHEMA",
    "VERDICT_SCHEMA",
    "TOPICS",
    "AICallEvent",
    "Action",
    "AppContext",
    "Basis",
    "CategoryCount",
    "Decision",
    "DecodeError",
    "Destination",
    "Enforcement",
    "ErrorClass",
    "Finding",
    "HintSource",
    "Outcome",
    "PersonalData",
    "RegionHint",
    "Severity",
    "Tap",
    "TapKind",
    "TopicSpec",
    "Topics",
    "Verdict",
    "decode",
    "decode_event",
    "decode_verdict",
    "encode",
    "json_schemas",
]
