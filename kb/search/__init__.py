"""Search: the SearchIndex interface, the Whoosh engine (analyser, writer, segments, evaluation), queries."""
