"""User administration (manual ch. 5, 6, 8.1): forms, field rules and the CSV format."""
