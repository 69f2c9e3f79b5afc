"""Topics: a Document + the topic lexicon -> clause topic tags with terms and spans; the lexicons are data."""
