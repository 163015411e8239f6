"""The tapping gateway: an OpenAI/Anthropic-compatible reverse proxy that judges every call in-line."""

from collector.gateway.app import Gateway
from collector.gateway.config import GatewayConfig, TenantKey, hash_key, load_gateway_config
from collector.gateway.errors import GatewayError
from collector.gateway.redirect import Redirector

__all__ = ["Gateway", "GatewayConfig", "GatewayError", "Redirector", "TenantKey", "hash_key", "load_gateway_config"]
