"""Synapse devices and the crossbar arrays built from them."""
