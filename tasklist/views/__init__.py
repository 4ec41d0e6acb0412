"""Pages of the human task inbox, one module per page (inbox, start, task)."""
