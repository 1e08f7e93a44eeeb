"""The raw layer's shared pieces: load columns, sync results and asset keys of every source."""
