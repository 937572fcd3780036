"""Hand-written runtime: what the generated modules build on. Private; names may change."""
