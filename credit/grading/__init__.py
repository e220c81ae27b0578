"""Enterprise credit-risk classification into tiers A/B/C/D (domain.md §7)."""
