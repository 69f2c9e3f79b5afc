"""Graph: the citation and topic graph of the store (networkx) and trace over the store and index."""
