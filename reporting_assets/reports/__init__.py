"""Report deliverables: definitions (catalog/), the query layer over the marts, rendering, the store."""
