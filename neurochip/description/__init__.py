"""Chip and scenario descriptions: pure data, units parsed once, every problem located."""

from .chip import ChipSpec, CoreSpec, LIFSpec
from .loader import Setup, check_file, load_chip, load_scenario, load_variants
from .scenario import ScenarioSpec

__all__ = ["ChipSpec", "CoreSpec", "LIFSpec", "ScenarioSpec", "Setup", "check_file", "load_chip", "load_scenario", "load_variants"]
