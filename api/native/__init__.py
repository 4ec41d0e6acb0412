"""The native REST API, /api/v1/."""
