"""Generated Golden Identity Provider package (no hand-written __init__ present)."""
