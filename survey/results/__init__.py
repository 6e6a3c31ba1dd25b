"""Aggregate results for union and safety representatives, leaders and HR."""
