"""Read models built from the event log: the bitemporal activity view, the indicator
definitions and the as-of IKU calculators."""
