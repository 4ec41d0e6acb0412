"""Console pages: one module per area (deploy, definitions, instances, incidents)."""
