"""The human side of user tasks: who sees what, forms and pages."""
