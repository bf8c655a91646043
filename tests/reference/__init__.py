"""Independent reference implementations the engine is docked against."""
