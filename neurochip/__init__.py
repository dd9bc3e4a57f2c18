"""neurochip: an event-driven emulator of spiking neuromorphic chips.

Layers, from pure data to the command line (dependencies point one way):
``description`` -> ``devices`` / ``circuits`` -> ``kernel`` -> ``runner`` -> ``cli``.
"""

__version__ = "0.1.0"
