// Replaced by the connectors sources.
