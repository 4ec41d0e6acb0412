"""The REST API over the engine services."""
