"""How Douane runs: the local Kafka broker, example configurations and deployment files."""
