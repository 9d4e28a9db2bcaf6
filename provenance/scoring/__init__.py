"""Stage 5: pair scoring — document similarities, passage alignment, relation per pair."""
