"""Taps for calls that do not pass through the gateway: the SDK tap and OTLP GenAI span ingest."""

from collector.tap.sdk import SdkTap

__all__ = ["SdkTap"]
