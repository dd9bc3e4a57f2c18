"""Rate-coded training on crossbar cores: analog matrices, update algorithms, the MLP run."""
