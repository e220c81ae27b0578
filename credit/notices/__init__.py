"""双告知 (dual notification): new registrations pushed to the licensing departments — domain.md §11.

- :mod:`.rules` — which industries (GB/T 4754 codes or prefixes) each department licenses
  (``config/notices.yaml``), validated;
- :mod:`.night` — the night's step: tonight's registration events written as notices, once each;
- :mod:`.read` — a night's notices per department, and the bureau's feed after a cursor;
- :mod:`.export` — notices as CSV (UTF-8 with BOM), JSON or xlsx for a department's inbox.
"""
