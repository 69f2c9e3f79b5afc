"""kb: a knowledge base of Chinese government policy documents and regulations."""

__version__ = "0.1.0"
