"""The process console: deploy diagrams, watch instances on the diagram, repair incidents."""
