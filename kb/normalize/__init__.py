"""Normalisation: the one place for widths, digits, spaces, dates, numerals, place names, titles and 发文字号."""
