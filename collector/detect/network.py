"""Online identifiers: IP addresses (GDPR Recital 30; CJEU C-582/14 Breyer)."""

from __future__ import annotations

import ipaddress

from collector.detect.base import Detector


class IpAddressDetector(Detector):
    """IPv4 and IPv6 addresses that parse as such; loopback and unspecified addresses are not people."""

    name = "ip_address"
    category = "user.device.ip_address"
    not_context = (r"version", r"firmware", r"\brelease", r"\bbuild\b", r"versie", r"versi[óo]n", r"\bv\d")
    context_window = 30
    patterns = (r"(\d(?<![\d.].)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3})(?!\.?\d)",
                r"(?<![\w:])([0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})(?![\w:])")

    def validate(self, value: str) -> bool:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return False
        return not (address.is_loopback or address.is_unspecified)
