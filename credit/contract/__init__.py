"""The drop contract (contracts.md §1): its sources and columns, the manifest, USCCs and regions."""
