"""On-chip learning modes built on the kernel: spiking RBM (event-driven contrastive divergence)."""
