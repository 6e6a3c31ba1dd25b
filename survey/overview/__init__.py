"""The year at a glance: where the annual cycle stands, for project leaders and unit leaders."""
