"""Turn raw AWS responses into typed values and pandas frames, once, at the boundary."""
