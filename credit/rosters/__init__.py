"""The abnormal-operation roster, the individual businesses' abnormal status and the serious
illegal and dishonest list, as an append-only log of legal decisions (domain.md §2–§5)."""
