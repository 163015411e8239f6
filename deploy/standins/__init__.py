"""Local stand-ins for what lives outside the machine (Slack), speaking their wire format."""
