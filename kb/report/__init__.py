"""Report: counts and cross-tabs per year, province, level and topic, list rows, and charts."""
