"""Metadata: ExtractedText + body -> DocMeta (title, 发文字号, issuers, dates, place, type); sidecar overrides."""
