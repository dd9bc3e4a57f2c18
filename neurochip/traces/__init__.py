"""HDF5 traces: one versioned layout, a streaming writer and a reader returning numpy arrays."""

from .reader import Trace
from .writer import TraceWriter

__all__ = ["Trace", "TraceWriter"]
