"""``credit``: the bureau's command line (contracts.md §2)."""
