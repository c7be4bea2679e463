"""The activity aggregate, its events and rules, and the application whose methods are commands."""
