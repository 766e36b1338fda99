"""The ticket domain and its persistence: models, rules, the status machine, the SLA clock."""
